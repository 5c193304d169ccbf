/**
 * The permissions the launcher needs in the namespace its Jobs run in, and nothing more. The Helm
 * chart's Role must grant exactly these (a test runs the launcher under them and checks with
 * `kubectl auth can-i` that nothing else is allowed).
 */
import type { V1PolicyRule } from '@kubernetes/client-node';

export const LAUNCHER_ROLE_RULES: readonly V1PolicyRule[] = [
  { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create', 'get', 'list', 'watch', 'delete'] },
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
];
