/** When a failed try is sent again: retriable events, exponential backoff with full jitter, and the retry budget. */
package dev.trellis.proxy.retry;
