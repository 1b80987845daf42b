@NullMarked
package io.storecast.campaigns.internal;

import org.jspecify.annotations.NullMarked;
