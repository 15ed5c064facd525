import { CONTROLLER_NAME, type Condition, type ResourceStatus } from '@eg/ir';
import { API_VERSION, ENVOY_GATEWAY_GROUP, type GatewayClass } from '../resources.ts';
import { condition } from './conditions.ts';
import type { ResourceIndex } from './resource-index.ts';

/** A GatewayClass of this controller and whether its parametersRef holds up. */
export interface ManagedGatewayClass {
  readonly gatewayClass: GatewayClass;
  /** Why the class is not accepted; its Gateways are then left alone, as Envoy Gateway does. */
  readonly invalidParameters?: string;
}

/** The GatewayClasses this controller manages; the others belong to other controllers and get no status. */
export function managedGatewayClasses(classes: readonly GatewayClass[], index: ResourceIndex): ManagedGatewayClass[] {
  return classes
    .filter((c) => c.spec.controllerName === CONTROLLER_NAME)
    .map((gatewayClass) => {
      const problem = parametersProblem(gatewayClass, index);
      return problem === undefined ? { gatewayClass } : { gatewayClass, invalidParameters: problem };
    });
}

function parametersProblem({ spec }: GatewayClass, index: ResourceIndex): string | undefined {
  const ref = spec.parametersRef;
  if (!ref) return undefined;
  if (ref.group !== ENVOY_GATEWAY_GROUP || ref.kind !== 'EnvoyProxy') {
    return `Invalid parametersRef: kind ${ref.group === '' ? '' : `${ref.group}/`}${ref.kind} is not supported, only ${ENVOY_GATEWAY_GROUP}/EnvoyProxy is`;
  }
  if (ref.namespace === undefined) return 'Invalid parametersRef: namespace must be set for an EnvoyProxy';
  if (!index.envoyProxy(ref.namespace, ref.name)) {
    return `Invalid parametersRef: EnvoyProxy ${ref.namespace}/${ref.name} not found`;
  }
  return undefined;
}

export function gatewayClassStatus({ gatewayClass, invalidParameters }: ManagedGatewayClass): ResourceStatus {
  const { name, generation } = gatewayClass.metadata;
  const accepted: Condition =
    invalidParameters === undefined
      ? condition('Accepted', 'True', 'Accepted', 'Valid GatewayClass', generation)
      : condition('Accepted', 'False', 'InvalidParameters', invalidParameters, generation);
  return { kind: 'GatewayClass', apiVersion: API_VERSION.GatewayClass, name, status: { conditions: [accepted] } };
}
