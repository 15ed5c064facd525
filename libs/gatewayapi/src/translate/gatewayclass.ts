import { CONTROLLER_NAME, type ResourceStatus } from '@eg/ir';
import { API_VERSION, type GatewayClass } from '../resources.ts';
import { condition } from './conditions.ts';

/** The GatewayClasses this controller manages; the others belong to other controllers and get no status. */
export function managedGatewayClasses(classes: readonly GatewayClass[]): GatewayClass[] {
  return classes.filter((c) => c.spec.controllerName === CONTROLLER_NAME);
}

/** `problem` names what is wrong with the class's parametersRef, when something is. */
export function gatewayClassStatus(gatewayClass: GatewayClass, problem?: string): ResourceStatus {
  const { name, generation } = gatewayClass.metadata;
  const accepted = problem
    ? condition('Accepted', 'False', 'InvalidParameters', `Invalid parametersRef: ${problem}`, generation)
    : condition('Accepted', 'True', 'Accepted', 'Valid GatewayClass', generation);
  return { kind: 'GatewayClass', apiVersion: API_VERSION.GatewayClass, name, status: { conditions: [accepted] } };
}
