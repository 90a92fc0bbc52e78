/**
 * Black-box system tests: they start real node JVMs, speak HTTP to them, kill and restart them.
 *
 * <p>Start with {@link io.actorgrid.systemtest.NodeProcess}, which launches a node from the test
 * classpath, and {@link io.actorgrid.systemtest.GridHttpClient}. {@link
 * io.actorgrid.systemtest.CrashRecoveryTest} checks acknowledged writes against a history recorded
 * by the clients; {@link io.actorgrid.systemtest.HttpApiBlackBoxTest} walks through the HTTP API as
 * a user does.
 */
package io.actorgrid.systemtest;
