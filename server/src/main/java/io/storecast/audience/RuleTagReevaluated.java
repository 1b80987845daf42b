package io.storecast.audience;

import java.time.Instant;

/**
 * A rule tag was evaluated over every customer at once (its rule was created or changed, a rebuild,
 * or the periodic refresh of rules that look back a number of days). Customers it added or removed
 * get no {@link CustomerTagged} / {@link CustomerUntagged} each: a bulk change is one event.
 */
public record RuleTagReevaluated(String tag, long members, long added, long removed, Instant at) {
}
