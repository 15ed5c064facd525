import { adsSuite } from './ads-envoy-suite.ts';

adsSuite('DELTA_GRPC');
