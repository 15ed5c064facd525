import { adsSuite } from './ads-envoy-suite.ts';

adsSuite('GRPC');
