package io.storecast.audience.internal;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import io.storecast.audience.CustomerTagged;
import io.storecast.audience.CustomerUntagged;
import io.storecast.identity.AccessPolicy;
import io.storecast.identity.Actor;
import io.storecast.identity.CustomerDirectory;
import io.storecast.identity.CustomerId;
import io.storecast.identity.CustomerProfile;
import io.storecast.identity.Permission;
import io.storecast.platform.ApiException;
import io.storecast.platform.CursorPage;
import io.storecast.platform.Ids;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tags: manual ones (staff, within the customers of their stores), imported ones (a CSV of customer
 * and tag), and rule tags, whose rule is a condition over customer facts, evaluated over everyone
 * when it is saved and kept current afterwards by {@link RuleEvaluation}.
 */
@Service
class TagManagement {

	static final int MAX_NAME = 32;
	static final int MAX_IMPORT_ROWS = 100_000;
	static final int MAX_IMPORT_ERRORS = 100;

	/** A tag as the API shows it. */
	record TagView(UUID id, String name, String kind, @Nullable String description, @Nullable JsonNode rule, int ruleVersion,
			long members, String createdBy, Instant createdAt, Instant updatedAt) {
	}

	/** A tag after a rule change: its members and what the evaluation changed. */
	record RuleResult(TagView tag, long added, long removed) {
	}

	record TagBody(@Nullable String name, @Nullable String description, @Nullable JsonNode rule) {
	}

	/** What an import did, with the rows it refused (line numbers count the header as line 1). */
	record ImportResult(int rows, int assigned, int alreadyTagged, int refused, List<RowError> errors) {
	}

	record RowError(long line, String field, String message) {
	}

	private final Tags tags;
	private final Conditions conditions;
	private final RuleEvaluation rules;
	private final StoredSegments segments;
	private final AudienceAccess access;
	private final AccessPolicy policy;
	private final CustomerDirectory customers;
	private final ProfileKeeping profiles;
	private final ApplicationEventPublisher events;
	private final JsonMapper json;
	private final TransactionTemplate tx;
	private final Clock clock;

	TagManagement(Tags tags, Conditions conditions, RuleEvaluation rules, StoredSegments segments, AudienceAccess access,
			AccessPolicy policy, CustomerDirectory customers, ProfileKeeping profiles, ApplicationEventPublisher events,
			JsonMapper json, TransactionTemplate tx, Clock clock) {
		this.tags = tags;
		this.conditions = conditions;
		this.rules = rules;
		this.segments = segments;
		this.access = access;
		this.policy = policy;
		this.customers = customers;
		this.profiles = profiles;
		this.events = events;
		this.json = json;
		this.tx = tx;
		this.clock = clock;
	}

	List<TagView> list(Actor actor) {
		access.require(actor, Permission.AUDIENCE_READ);
		return tags.list(access.scope(actor)).stream().map(c -> view(c.tag(), c.members())).toList();
	}

	TagView get(Actor actor, UUID id) {
		access.require(actor, Permission.AUDIENCE_READ);
		var scope = access.scope(actor);
		return tags.list(scope).stream()
			.filter(c -> c.tag().id().equals(id))
			.findFirst()
			.map(c -> view(c.tag(), c.members()))
			.orElseThrow(() -> ApiException.notFound("not-found", "No tag " + id));
	}

	/** Creates a tag; with a rule, a rule tag, evaluated over everyone before this returns. */
	RuleResult create(Actor actor, TagBody body) {
		String name = name(body.name());
		if (body.rule() == null) {
			access.require(actor, Permission.AUDIENCE_WRITE);
		}
		else {
			access.requireHeadOffice(actor, Permission.AUDIENCE_WRITE);
		}
		return tx.execute(s -> {
			if (tags.findByName(name).isPresent()) {
				throw ApiException.conflict("tag-name-taken", "A tag named '" + name + "' exists");
			}
			Condition rule = body.rule() == null ? null : checkedRule(body.rule());
			Instant now = clock.instant();
			Tags.Tag tag = new Tags.Tag(Ids.newId(), name, rule == null ? "MANUAL" : "RULE",
					SegmentManagement.description(body.description()),
					body.rule() == null ? null : json.writeValueAsString(body.rule()), rule == null ? 0 : 1,
					AudienceAccess.who(actor), now, now);
			tags.insert(tag);
			if (rule == null) {
				return new RuleResult(view(tag, 0), 0, 0);
			}
			long[] r = rules.reconcile(tag, rule);
			return new RuleResult(view(tag, r[0]), r[1], r[2]);
		});
	}

	/** Changes a tag's description or a rule tag's rule (re-evaluated over everyone before this returns). */
	RuleResult update(Actor actor, UUID id, TagBody body) {
		access.requireHeadOffice(actor, Permission.AUDIENCE_WRITE);
		if (body.name() != null) {
			throw ApiException.badRequest("validation-failed", "name", "A tag cannot be renamed (segments name it)");
		}
		return tx.execute(s -> {
			Tags.Tag current = tags.lock(id).orElseThrow(() -> ApiException.notFound("not-found", "No tag " + id));
			if (body.rule() != null && !current.isRule()) {
				throw ApiException.conflict("not-a-rule-tag", "'" + current.name()
						+ "' is a manual tag; create a rule tag under another name instead");
			}
			Condition rule = body.rule() == null ? null : checkedRule(body.rule());
			Tags.Tag changed = new Tags.Tag(id, current.name(), current.kind(),
					body.description() == null ? current.description() : SegmentManagement.description(body.description()),
					rule == null ? current.rule() : json.writeValueAsString(body.rule()),
					rule == null ? current.ruleVersion() : current.ruleVersion() + 1, current.createdBy(), current.createdAt(),
					clock.instant());
			tags.update(changed);
			if (rule == null) {
				return new RuleResult(get(actor, id), 0, 0);
			}
			long[] r = rules.reconcile(changed, rule);
			return new RuleResult(view(changed, r[0]), r[1], r[2]);
		});
	}

	void delete(Actor actor, UUID id) {
		access.requireHeadOffice(actor, Permission.AUDIENCE_WRITE);
		tx.executeWithoutResult(s -> {
			segments.lockAll();
			Tags.Tag tag = tags.lock(id).orElseThrow(() -> ApiException.notFound("not-found", "No tag " + id));
			for (StoredSegments.Row segment : segments.list()) {
				if (References.tags(json.readTree(segment.condition())).contains(tag.name().toLowerCase(Locale.ROOT))) {
					throw ApiException.conflict("tag-in-use",
							"Tag '" + tag.name() + "' is used by segment '" + segment.name() + "'; change that one first");
				}
			}
			tags.delete(id);
		});
	}

	CursorPage<Tags.Member> members(Actor actor, UUID id, @Nullable UUID after, int limit) {
		access.require(actor, Permission.AUDIENCE_READ);
		tags.find(id).orElseThrow(() -> ApiException.notFound("not-found", "No tag " + id));
		return CursorPage.of(tags.members(id, access.scope(actor), after, limit + 1), limit, m -> m.customerId().toString());
	}

	/** Tags a customer by hand (the tag is created as a manual one if it does not exist); true when new. */
	boolean assign(Actor actor, CustomerId customer, @Nullable String tagName) {
		access.requireCustomer(actor, Permission.AUDIENCE_WRITE, customer);
		String name = name(tagName);
		return Boolean.TRUE.equals(tx.execute(s -> assign(customer, name, "MANUAL", AudienceAccess.who(actor))));
	}

	private boolean assign(CustomerId customer, String name, String source, String by) {
		Instant now = clock.instant();
		Tags.Tag tag = tags.findByName(name).orElseGet(() -> tags.ensureManual(name, by, now));
		if (tag.isRule()) {
			throw ApiException.conflict("rule-tag", "'" + tag.name() + "' is a rule tag: its rule alone gives and takes it");
		}
		profiles.ensure(customer);
		boolean added = tags.assign(tag.id(), customer.value(), source, by, now);
		if (added) {
			events.publishEvent(new CustomerTagged(customer, tag.name(), source, now));
		}
		return added;
	}

	boolean unassign(Actor actor, CustomerId customer, UUID tagId) {
		access.requireCustomer(actor, Permission.AUDIENCE_WRITE, customer);
		return Boolean.TRUE.equals(tx.execute(s -> {
			Tags.Tag tag = tags.find(tagId).orElseThrow(() -> ApiException.notFound("not-found", "No tag " + tagId));
			if (tag.isRule()) {
				throw ApiException.conflict("rule-tag", "'" + tag.name() + "' is a rule tag: its rule alone gives and takes it");
			}
			boolean removed = tags.unassign(tagId, customer.value());
			if (removed) {
				events.publishEvent(new CustomerUntagged(customer, tag.name(), "MANUAL", clock.instant()));
			}
			return removed;
		}));
	}

	/**
	 * Imports {@code customer,tag} rows (a header names the columns: {@code customer_external_id} or
	 * {@code customer_id}, and {@code tag}). Each row is checked on its own: refused rows are listed,
	 * the others tagged (source IMPORT), all in one transaction.
	 */
	ImportResult importCsv(Actor actor, String csv) {
		access.require(actor, Permission.AUDIENCE_WRITE);
		List<RowError> errors = new ArrayList<>();
		int[] counts = new int[4];
		tx.executeWithoutResult(s -> {
			try (Reader reader = new StringReader(csv);
					CSVParser parser = CSVFormat.DEFAULT.builder()
						.setHeader()
						.setSkipHeaderRecord(true)
						.setIgnoreEmptyLines(true)
						.setTrim(true)
						.get()
						.parse(reader)) {
				List<String> header = parser.getHeaderNames().stream().map(h -> h.toLowerCase(Locale.ROOT).replace("\ufeff", "")).toList();
				boolean byExternal = header.contains("customer_external_id");
				if (!(byExternal || header.contains("customer_id")) || !header.contains("tag")) {
					throw ApiException.badRequest("invalid-csv", "header",
							"The first line must name the columns: customer_external_id (or customer_id) and tag");
				}
				String customerColumn = parser.getHeaderNames().get(header.indexOf(byExternal ? "customer_external_id" : "customer_id"));
				String tagColumn = parser.getHeaderNames().get(header.indexOf("tag"));
				String by = AudienceAccess.who(actor);
				for (CSVRecord record : parser) {
					counts[0]++;
					if (counts[0] > MAX_IMPORT_ROWS) {
						throw ApiException.badRequest("invalid-csv", "body", "At most " + MAX_IMPORT_ROWS + " rows per import");
					}
					long line = record.getRecordNumber() + 1;
					String ref = record.isMapped(customerColumn) && record.isSet(customerColumn) ? record.get(customerColumn) : "";
					String tag = record.isSet(tagColumn) ? record.get(tagColumn) : "";
					Optional<CustomerProfile> customer = find(byExternal, ref);
					String problem = null;
					String field = byExternal ? "customer_external_id" : "customer_id";
					if (customer.isEmpty()) {
						problem = "no customer '" + ref + "'";
					}
					else if (actor instanceof Actor.Staff && !inScope(actor, customer.get())) {
						problem = "customer '" + ref + "' belongs to a store outside your part of the organisation";
					}
					else if (tag.isBlank() || tag.length() > MAX_NAME) {
						field = "tag";
						problem = "a tag is 1-" + MAX_NAME + " characters";
					}
					else {
						Optional<Tags.Tag> existing = tags.findByName(tag);
						if (existing.isPresent() && existing.get().isRule()) {
							field = "tag";
							problem = "'" + tag + "' is a rule tag";
						}
					}
					if (problem != null) {
						counts[3]++;
						if (errors.size() < MAX_IMPORT_ERRORS) {
							errors.add(new RowError(line, field, problem));
						}
						continue;
					}
					if (assign(customer.get().id(), tag.strip(), "IMPORT", by)) {
						counts[1]++;
					}
					else {
						counts[2]++;
					}
				}
			}
			catch (IOException | java.io.UncheckedIOException | IllegalStateException e) {
				throw ApiException.badRequest("invalid-csv", "body", "The file is not valid CSV: " + e.getMessage());
			}
		});
		return new ImportResult(counts[0], counts[1], counts[2], counts[3], errors);
	}

	private Optional<CustomerProfile> find(boolean byExternal, String ref) {
		if (ref.isBlank()) {
			return Optional.empty();
		}
		if (byExternal) {
			return customers.findByExternalId(ref);
		}
		try {
			return customers.find(CustomerId.valueOf(ref));
		}
		catch (IllegalArgumentException e) {
			return Optional.empty();
		}
	}

	private boolean inScope(Actor actor, CustomerProfile customer) {
		try {
			policy.requireCustomer(actor, Permission.AUDIENCE_WRITE, customer.id(), customer.homeStoreId());
			return true;
		}
		catch (ApiException refused) {
			return false;
		}
	}

	private Condition checkedRule(JsonNode rule) {
		Condition condition = conditions.parseRule(rule);
		Satisfiability.requirePossible(condition, clock.instant());
		return condition;
	}

	private TagView view(Tags.Tag t, long members) {
		return new TagView(t.id(), t.name(), t.kind(), t.description(), t.rule() == null ? null : json.readTree(t.rule()),
				t.ruleVersion(), members, t.createdBy(), t.createdAt(), t.updatedAt());
	}

	static String name(@Nullable String name) {
		if (name == null || name.isBlank() || name.strip().length() > MAX_NAME || name.chars().anyMatch(Character::isISOControl)
				|| name.contains(",")) {
			throw ApiException.badRequest("validation-failed", "tag", "a tag name is 1-" + MAX_NAME
					+ " printable characters without commas");
		}
		return name.strip();
	}
}
