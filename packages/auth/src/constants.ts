/** JWT `typ` of CABC access tokens (RFC 9068 style), so other JWTs of the platform are never taken for one. */
export const ACCESS_TOKEN_TYP = 'at+jwt';
