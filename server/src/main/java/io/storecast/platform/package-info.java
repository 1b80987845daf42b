/**
 * Cross-cutting infrastructure every module may use: the database bootstrap (embedded or external
 * PostgreSQL), RFC 9457 problem details, identifiers and cursor pages.
 */
@NullMarked
@ApplicationModule(displayName = "Platform")
package io.storecast.platform;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
