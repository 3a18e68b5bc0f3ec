/** Service-to-service authentication: the shared service token, its check on every service and its header on calls. */
@NullMarked
package io.xcomposer.common.security;

import org.jspecify.annotations.NullMarked;
