// The request pipeline's plug-in points: authentication, authorization and admission (no I/O here; hooks may do I/O).
import type { JsonObject } from '../patch/json-value.ts';
import type { ResourceType } from '../resources/resource-type.ts';

export interface UserInfo {
  username: string;
  groups: string[];
  uid?: string;
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
  /** The request's options as the API sees them (CreateOptions, UpdateOptions, DeleteOptions), for AdmissionReview. */
  options?: JsonObject;
}

/** A mutating hook returns the (possibly changed) object; a validating hook throws an ApiError to deny. */
export type MutatingHook = (req: AdmissionRequest) => Promise<{ object: JsonObject | undefined; warnings: string[] }>;
export type ValidatingHook = (req: AdmissionRequest) => Promise<{ warnings: string[] }>;

export interface Pipeline {
  /** The user a bearer token belongs to; throws 401. */
  authenticate(bearerToken: string | undefined): UserInfo;
  /** Throws a 403 Status unless the user may do this. */
  authorize(attrs: RequestAttributes): void;
  /** Throws a 403 Status unless the user may `verb` the non-resource path (discovery, /openapi, …). */
  authorizeNonResource(user: UserInfo, verb: string, path: string): void;
  mutating: MutatingHook[];
  validating: ValidatingHook[];
}

export const SYSTEM_MASTERS = 'system:masters';
