/**
 * YCSB 0.17 bindings that drive ActorGrid's HTTP API ({@link io.actorgrid.ycsb.ActorGridClient})
 * and etcd 3.4's JSON gateway ({@link io.actorgrid.ycsb.EtcdClient}) with the same record encoding
 * ({@link io.actorgrid.ycsb.RecordCodec}), so that {@code benchmarks/compare} measures both stores
 * with identical requests. Start with {@code benchmarks/compare}.
 */
package io.actorgrid.ycsb;
