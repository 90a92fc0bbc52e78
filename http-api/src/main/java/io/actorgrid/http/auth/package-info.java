/**
 * Bearer tokens and what they may do: {@link io.actorgrid.http.auth.TokenStore} keeps tokens (as
 * hashes) in a reserved map of the grid, {@link io.actorgrid.http.auth.TokenVerifier} checks a
 * presented token against it with a short cache, and {@link io.actorgrid.http.auth.AccessRules}
 * says which {@link io.actorgrid.http.auth.Access} each route needs on which map. Start with
 * AccessRules; the HTTP side is {@code io.actorgrid.http.Authorization} and {@code TokenRoutes}.
 */
package io.actorgrid.http.auth;
