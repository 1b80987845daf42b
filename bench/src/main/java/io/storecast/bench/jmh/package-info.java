/**
 * JMH micro-benchmarks, run by {@code java -jar bench/target/storecast-bench.jar jmh}; each class
 * should set its own {@code @Fork}, {@code @Warmup} and {@code @Measurement} so a run stays short.
 * Empty for now: nothing in the server is yet worth measuring in isolation from here.
 */
package io.storecast.bench.jmh;
