// The request pipeline's plug-in points: authentication, authorization and admission (no I/O here; hooks may do I/O).
import { forbidden, unauthorized } from '../api/status.ts';
import type { JsonObject } from '../patch/json-value.ts';
import type { ResourceType } from '../resources/resource-type.ts';

export interface UserInfo {
  username: string;
  groups: string[];
}

export interface RequestAttributes {
  user: UserInfo;
  verb: string;
  type: ResourceType;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
}

export interface AdmissionRequest {
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  attributes: RequestAttributes;
  object: JsonObject | undefined;
  oldObject: JsonObject | undefined;
  dryRun: boolean;
}

/** A mutating hook returns the (possibly changed) object; a validating hook throws an ApiError to deny. */
export type MutatingHook = (req: AdmissionRequest) => Promise<{ object: JsonObject; warnings: string[] }>;
export type ValidatingHook = (req: AdmissionRequest) => Promise<{ warnings: string[] }>;

export interface Pipeline {
  authenticate(bearerToken: string | undefined): UserInfo;
  authorize(attrs: RequestAttributes): void;
  mutating: MutatingHook[];
  validating: ValidatingHook[];
}

export const SYSTEM_MASTERS = 'system:masters';

/** Token authentication plus "admins may do anything, nobody else anything" until RBAC plugs in. */
export function buildAdminOnlyPipeline(tokens: ReadonlyMap<string, UserInfo>): Pipeline {
  return {
    authenticate(token) {
      const user = token === undefined ? undefined : tokens.get(token);
      if (user === undefined) throw unauthorized();
      return user;
    },
    authorize(attrs) {
      if (attrs.user.groups.includes(SYSTEM_MASTERS)) return;
      const resource = attrs.subresource === undefined ? attrs.type.resource : `${attrs.type.resource}/${attrs.subresource}`;
      const scope = attrs.namespace === undefined ? 'at the cluster scope' : `in the namespace "${attrs.namespace}"`;
      const group = attrs.type.group === '' ? '""' : `"${attrs.type.group}"`;
      throw forbidden({ group: attrs.type.group, resource: attrs.type.resource }, attrs.name ?? '',
        `${attrs.type.resource}${attrs.name === undefined ? '' : ` "${attrs.name}"`} is forbidden: User "${attrs.user.username}" cannot ${attrs.verb} resource "${resource}" in API group ${group} ${scope}`);
    },
    mutating: [],
    validating: [],
  };
}
