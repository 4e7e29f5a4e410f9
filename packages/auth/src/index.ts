export { roles, roleSchema, type Role, type Principal } from './principal.ts';
export { createTokenVerifier, type TokenVerifier, type TokenVerifierOptions } from './token-verifier.ts';
export { mintToken, type MintTokenOptions } from './mint-token.ts';
export { registerAuthentication, principalOf, allowRoles, signedBodyRoute } from './fastify-authentication.ts';
export { authEnvSchema, tokenVerifierFromEnv, type AuthEnv } from './auth-env.ts';
export { ACCESS_TOKEN_TYP } from './constants.ts';
export { loadOrCreateLocalIssuer } from './local-issuer.ts';
