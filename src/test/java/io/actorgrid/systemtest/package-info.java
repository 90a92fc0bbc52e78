/**
 * Black-box system tests: they start real node JVMs, speak HTTP to them, kill and restart them.
 *
 * <p>Start with {@link io.actorgrid.systemtest.NodeProcess}, which launches a node from the test
 * classpath, and {@link io.actorgrid.systemtest.GridHttpClient}. {@link
 * io.actorgrid.systemtest.CrashRecoveryTest} checks acknowledged writes against a history recorded
 * by the clients; {@link io.actorgrid.systemtest.HttpApiBlackBoxTest} walks through the HTTP API as
 * a user does.
 *
 * <p>The {@code Cluster*Test}s run several nodes on one real PostgreSQL ({@link
 * io.actorgrid.systemtest.GridCluster}) while {@link io.actorgrid.systemtest.ClusterLoad} writes
 * and reads through every live node and checks, at the end, every acknowledged write. {@link
 * io.actorgrid.systemtest.DevPostgres} is not a test: {@code bin/dev-postgres} runs it to give a
 * developer a PostgreSQL for a cluster on one machine.
 *
 * <p>{@link io.actorgrid.systemtest.FaultInjectionTest} is the fault suite (JUnit tag {@code
 * faults}, Maven profile {@code faults}): a {@link io.actorgrid.systemtest.RegisterWorkload} runs
 * through SIGKILL, SIGSTOP, a PostgreSQL outage and a network partition, and {@link
 * io.actorgrid.systemtest.LinearizabilityChecker} checks its history.
 */
package io.actorgrid.systemtest;
