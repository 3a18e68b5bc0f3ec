/** Server-side fetching of client-supplied image URLs, safe against SSRF: {@link io.xcomposer.common.fetch.SafeImageFetcher}. */
@NullMarked
package io.xcomposer.common.fetch;

import org.jspecify.annotations.NullMarked;
