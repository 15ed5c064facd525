import { CONTROLLER_NAME, type ResourceStatus } from '@eg/ir';
import { API_VERSION, type GatewayClass } from '../resources.ts';
import { condition } from './conditions.ts';

/** The GatewayClasses this controller manages; the others belong to other controllers and get no status. */
export function managedGatewayClasses(classes: readonly GatewayClass[]): GatewayClass[] {
  return classes.filter((c) => c.spec.controllerName === CONTROLLER_NAME);
}

export function gatewayClassStatus(gatewayClass: GatewayClass): ResourceStatus {
  const { name, generation } = gatewayClass.metadata;
  return {
    kind: 'GatewayClass',
    apiVersion: API_VERSION.GatewayClass,
    name,
    status: { conditions: [condition('Accepted', 'True', 'Accepted', 'Valid GatewayClass', generation)] },
  };
}
