package io.storecast.campaigns.internal;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.MonthDay;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

import io.storecast.audience.AudienceProfiles;
import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgDirectory;
import io.storecast.identity.OrgNode;
import io.storecast.identity.OrgNodeId;

/**
 * BIRTHDAY triggers: on each periodic run, the customers of a trigger's stores whose birthday is
 * {@code daysBefore} days after today <em>in their own time zone</em> (else their home store's) join
 * the trigger's firing of that year ({@code birthday:<year>}) — once per customer and year, however
 * often the run finds them. 29 February counts on the 28th in other years. The contact policy then
 * keeps the message inside the send window (a run just after midnight defers it to the morning).
 */
@Component
class TriggerBirthdays {

	private final Triggers triggers;
	private final TriggerSending sending;
	private final AudienceProfiles audience;
	private final OrgDirectory org;
	private final Clock clock;

	TriggerBirthdays(Triggers triggers, TriggerSending sending, AudienceProfiles audience, OrgDirectory org, Clock clock) {
		this.triggers = triggers;
		this.sending = sending;
		this.audience = audience;
		this.org = org;
		this.clock = clock;
	}

	void run() {
		List<Trigger> birthdays = triggers.enabled(Trigger.Kind.BIRTHDAY);
		if (birthdays.isEmpty()) {
			return;
		}
		Instant now = clock.instant();
		Map<OrgNodeId, ZoneId> zones = new HashMap<>();
		for (Trigger t : birthdays) {
			int daysBefore = java.util.Objects.requireNonNull(t.definition().params().daysBefore());
			// today is one of three days somewhere on Earth
			LocalDate utc = LocalDate.ofInstant(now, ZoneOffset.UTC);
			Set<MonthDay> days = new LinkedHashSet<>();
			for (int d = -1; d <= 1; d++) {
				LocalDate target = utc.plusDays(d + daysBefore);
				days.add(MonthDay.from(target));
				if (target.getMonthValue() == 2 && target.getDayOfMonth() == 28 && !target.isLeapYear()) {
					days.add(MonthDay.of(2, 29));
				}
			}
			Map<Integer, List<CustomerId>> byYear = new TreeMap<>();
			CustomerId after = null;
			List<AudienceProfiles.Birthday> page;
			do {
				page = audience.bornOn(days, t.definition().stores(), after, TriggerSending.planPage());
				for (AudienceProfiles.Birthday b : page) {
					LocalDate target = LocalDate.ofInstant(now, zone(b, zones)).plusDays(daysBefore);
					if (occurrence(b.birthday(), target.getYear()).equals(target)) {
						byYear.computeIfAbsent(target.getYear(), y -> new ArrayList<>()).add(b.customerId());
					}
				}
				after = page.isEmpty() ? null : page.getLast().customerId();
			}
			while (page.size() == TriggerSending.planPage());
			byYear.forEach((year, customers) -> sending.fire(t, "birthday:" + year,
					new Triggers.Subject(Map.of(), null, Map.of("year", year), null), now, TriggerSending.only(customers)));
		}
	}

	/** The birthday's date in a year (29 February on the 28th when the year has none). */
	static LocalDate occurrence(LocalDate birthday, int year) {
		MonthDay md = MonthDay.from(birthday);
		return md.isValidYear(year) ? md.atYear(year) : LocalDate.of(year, 2, 28);
	}

	private ZoneId zone(AudienceProfiles.Birthday b, Map<OrgNodeId, ZoneId> zones) {
		if (b.timeZone() != null) {
			try {
				return ZoneId.of(b.timeZone());
			}
			catch (DateTimeException e) {
				// fall back to the store's
			}
		}
		@Nullable OrgNodeId home = b.homeStoreId();
		if (home == null) {
			return org.headOffice().timeZone();
		}
		return zones.computeIfAbsent(home,
				h -> org.find(h).map(OrgNode::timeZone).or(() -> Optional.of(org.headOffice().timeZone())).orElseThrow());
	}
}
