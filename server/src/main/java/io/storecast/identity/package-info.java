/**
 * Who is who: the org tree (head office, regions, stores), staff and their roles, customers, tokens,
 * API keys, and the one access policy every module asks before it reads or changes data.
 */
@NullMarked
@ApplicationModule(displayName = "Identity and access")
package io.storecast.identity;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
