/** Implementation helpers of the aggregation factories; not API. */
package dev.fl4j.aggregators.internal;
