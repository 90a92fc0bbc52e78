/**
 * The JSON bodies of the HTTP API. They are the API's contract, kept apart from the cluster
 * messages of grid-node: a change to a cluster message never changes these.
 */
package io.actorgrid.http.wire;
