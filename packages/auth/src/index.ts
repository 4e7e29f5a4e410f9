export { roles, roleSchema, type Role, type Principal } from './principal.ts';
export { createTokenVerifier, type TokenVerifier, type TokenVerifierOptions } from './token-verifier.ts';
export { mintToken, type MintTokenOptions } from './mint-token.ts';
export { registerAuthentication, principalOf, allowRoles, signedBodyRoute } from './fastify-authentication.ts';
export {
  authEnvShape,
  hasTokenIssuer,
  missingTokenIssuerMessage,
  tokenVerifierFromEnv,
  trustedIssuersOf,
  type AuthEnv,
} from './auth-env.ts';
export { trustedIssuerSchema, trustedIssuersSchema, transportOf, type TrustedIssuer } from './trusted-issuers.ts';
export { serviceNames, defaultAudiences, defaultServiceOfRole, type ServiceName } from './services.ts';
export { ACCESS_TOKEN_TYP } from './constants.ts';
export { loadOrCreateLocalIssuer } from './local-issuer.ts';
