/**
 * Aggregation factories, TFF's {@code tff.aggregators}, composable by nesting (outer factories act
 * first on the clients and last on the server).
 *
 * <table>
 * <caption>Factories and the TFF names they mirror</caption>
 * <tr><th>fl4j</th><th>TFF</th></tr>
 * <tr><td>{@link dev.fl4j.aggregators.SumFactory}, {@link dev.fl4j.aggregators.MeanFactory},
 *     {@link dev.fl4j.aggregators.UnweightedMeanFactory}</td><td>{@code SumFactory}, {@code MeanFactory},
 *     {@code UnweightedMeanFactory}</td></tr>
 * <tr><td>{@link dev.fl4j.aggregators.ZeroingFactory}, {@link dev.fl4j.aggregators.ClippingFactory}</td>
 *     <td>{@code zeroing_factory}, {@code clipping_factory}</td></tr>
 * <tr><td>{@link dev.fl4j.aggregators.QuantileEstimation}</td><td>{@code PrivateQuantileEstimationProcess}
 *     ({@code no_noise} and Gaussian)</td></tr>
 * <tr><td>{@link dev.fl4j.aggregators.DifferentiallyPrivateFactory}</td><td>{@code DifferentiallyPrivateFactory}
 *     ({@code gaussian_fixed}, {@code gaussian_adaptive}), plus RDP accounting and a budget</td></tr>
 * <tr><td>{@link dev.fl4j.aggregators.SecureSumFactory}</td><td>{@code SecureSumFactory}</td></tr>
 * <tr><td>{@link dev.fl4j.aggregators.EncodedSumFactory}</td><td>{@code EncodedSumFactory}
 *     ({@code quantize_above_threshold})</td></tr>
 * <tr><td>{@link dev.fl4j.aggregators.Aggregators}</td><td>{@code tff.learning.robust_aggregator},
 *     {@code dp_aggregator}, {@code compression_aggregator}, {@code secure_aggregator}</td></tr>
 * <tr><td>{@link dev.fl4j.aggregators.RobustAggregationFactory}</td><td>none (median, trimmed mean,
 *     Krum)</td></tr>
 * <tr><td>{@link dev.fl4j.aggregators.NonFiniteZeroingFactory}</td><td>the non-finite check of TFF's
 *     learning client work</td></tr>
 * </table>
 * The module has no text grammar: the command line's {@code --aggregator} is read in the CLI
 * ({@code dev.fl4j.cli.spec.AggregatorSpec}) into these typed factories, and a learning process asks a
 * factory {@link dev.fl4j.aggregators.AggregationFactory#isWeighted()} to know which processes it builds.
 * {@link dev.fl4j.aggregators.Measurements} flattens measurements to stable {@code name → double}.
 */
package dev.fl4j.aggregators;
