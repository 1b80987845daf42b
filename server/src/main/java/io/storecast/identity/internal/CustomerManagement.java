package io.storecast.identity.internal;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import io.storecast.identity.AccessPolicy;
import io.storecast.identity.Actor;
import io.storecast.identity.CustomerId;
import io.storecast.identity.CustomerProfile;
import io.storecast.identity.CustomerRegistered;
import io.storecast.identity.CustomerUpdated;
import io.storecast.identity.OrgNode;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.OrgNodeKind;
import io.storecast.identity.Permission;
import io.storecast.platform.ApiException;
import io.storecast.platform.CursorPage;
import io.storecast.platform.Ids;
import io.storecast.platform.PhoneNumbers;

/** Customers (members): upserted by the merchant's systems, read and edited by staff within their scope. */
@Service
class CustomerManagement {

	static final Pattern EXTERNAL_ID = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");

	/** A customer's editable fields; in an upsert every field is replaced, in a patch null keeps the value. */
	record CustomerFields(@Nullable String phone, @Nullable String nickname, @Nullable OrgNodeId homeStoreId,
			@Nullable String memberLevel, @Nullable LocalDate birthday, @Nullable String locale) {

		static CustomerFields none() {
			return new CustomerFields(null, null, null, null, null, null);
		}
	}

	/** A minted customer token with the customer it is for. */
	record CustomerToken(CustomerId customerId, boolean created, TokenPair tokens) {
	}

	private final Customers customers;
	private final OrgNodes nodes;
	private final AccessPolicy access;
	private final Authenticating authenticating;
	private final ApplicationEventPublisher events;
	private final Clock clock;

	CustomerManagement(Customers customers, OrgNodes nodes, AccessPolicy access, Authenticating authenticating,
			ApplicationEventPublisher events, Clock clock) {
		this.customers = customers;
		this.nodes = nodes;
		this.access = access;
		this.authenticating = authenticating;
		this.events = events;
		this.clock = clock;
	}

	/** Creates or replaces the customer known to the merchant's systems by {@code externalId}. */
	@Transactional
	CustomerProfile upsert(Actor actor, String externalId, CustomerFields fields) {
		requireExternalId(externalId);
		access.require(actor, Permission.CUSTOMER_WRITE);
		CustomerFields clean = validated(actor, fields);
		Instant now = clock.instant();
		var existing = customers.findByExternalIdForUpdate(externalId);
		if (existing.isEmpty()) {
			CustomerProfile created = new CustomerProfile(new CustomerId(Ids.newId()), externalId, clean.phone(),
					clean.nickname(), clean.homeStoreId(), clean.memberLevel(), clean.birthday(), clean.locale(), now, now);
			access.requireCustomer(actor, Permission.CUSTOMER_WRITE, created.id(), created.homeStoreId());
			if (customers.insertIfAbsent(created)) {
				events.publishEvent(new CustomerRegistered(created.id(), externalId, created.homeStoreId()));
				return created;
			}
			// Lost a race with a concurrent create of the same external id: replace what it wrote.
			existing = customers.findByExternalIdForUpdate(externalId);
		}
		CustomerProfile current = existing.orElseThrow();
		access.requireCustomer(actor, Permission.CUSTOMER_WRITE, current.id(), current.homeStoreId());
		CustomerProfile replaced = new CustomerProfile(current.id(), externalId, clean.phone(), clean.nickname(),
				clean.homeStoreId(), clean.memberLevel(), clean.birthday(), clean.locale(), current.createdAt(), now);
		access.requireCustomer(actor, Permission.CUSTOMER_WRITE, replaced.id(), replaced.homeStoreId());
		customers.update(replaced);
		events.publishEvent(new CustomerUpdated(replaced.id()));
		return replaced;
	}

	@Transactional
	CustomerProfile patch(Actor actor, CustomerId id, CustomerFields fields) {
		CustomerProfile current = customers.find(id)
			.orElseThrow(() -> ApiException.notFound("not-found", "No customer " + id));
		access.requireCustomer(actor, Permission.CUSTOMER_WRITE, id, current.homeStoreId());
		CustomerFields clean = validated(actor, fields);
		CustomerProfile changed = new CustomerProfile(id, current.externalId(),
				clean.phone() != null ? clean.phone() : current.phone(),
				clean.nickname() != null ? clean.nickname() : current.nickname(),
				clean.homeStoreId() != null ? clean.homeStoreId() : current.homeStoreId(),
				clean.memberLevel() != null ? clean.memberLevel() : current.memberLevel(),
				clean.birthday() != null ? clean.birthday() : current.birthday(),
				clean.locale() != null ? clean.locale() : current.locale(), current.createdAt(),
				clock.instant());
		access.requireCustomer(actor, Permission.CUSTOMER_WRITE, id, changed.homeStoreId());
		customers.update(changed);
		events.publishEvent(new CustomerUpdated(id));
		return changed;
	}

	CustomerProfile get(Actor actor, CustomerId id) {
		CustomerProfile customer = customers.find(id)
			.orElseThrow(() -> ApiException.notFound("not-found", "No customer " + id));
		access.requireCustomer(actor, Permission.CUSTOMER_READ, id, customer.homeStoreId());
		return customer;
	}

	CustomerProfile getByExternalId(Actor actor, String externalId) {
		requireExternalId(externalId);
		CustomerProfile customer = customers.findByExternalId(externalId)
			.orElseThrow(() -> ApiException.notFound("not-found", "No customer with external id " + externalId));
		access.requireCustomer(actor, Permission.CUSTOMER_READ, customer.id(), customer.homeStoreId());
		return customer;
	}

	CursorPage<CustomerProfile> list(Actor actor, @Nullable OrgNodeId store, @Nullable String phone,
			@Nullable UUID after, int limit) {
		access.require(actor, Permission.CUSTOMER_READ);
		if (store != null) {
			access.requireAt(actor, Permission.CUSTOMER_READ, store);
		}
		String scope = access.scopePath(actor);
		boolean wholeTree = scope.equals(nodes.headOffice().path());
		String normalizedPhone = phone == null || phone.isBlank() ? null : PhoneNumbers.normalize(phone, "phone");
		List<CustomerProfile> page = customers.list(scope, wholeTree, store, normalizedPhone, after, limit + 1);
		return CursorPage.of(page, limit, c -> c.id().toString());
	}

	/**
	 * Mints a token pair for a customer on behalf of the merchant's backend, creating the customer
	 * if the external id is new (with the given fields).
	 */
	@Transactional
	CustomerToken mintToken(Actor actor, String externalId, @Nullable CustomerFields profile, String clientIp) {
		access.require(actor, Permission.CUSTOMER_TOKEN_MINT);
		requireExternalId(externalId);
		var existing = customers.findByExternalId(externalId);
		boolean created = false;
		CustomerProfile customer;
		if (existing.isPresent()) {
			customer = existing.get();
		}
		else {
			CustomerFields clean = validated(actor, profile == null ? CustomerFields.none() : profile);
			Instant now = clock.instant();
			customer = new CustomerProfile(new CustomerId(Ids.newId()), externalId, clean.phone(), clean.nickname(),
					clean.homeStoreId(), clean.memberLevel(), clean.birthday(), clean.locale(), now, now);
			created = customers.insertIfAbsent(customer);
			if (created) {
				events.publishEvent(new CustomerRegistered(customer.id(), externalId, customer.homeStoreId()));
			}
			else {
				customer = customers.findByExternalId(externalId).orElseThrow();
			}
		}
		return new CustomerToken(customer.id(), created, authenticating.openCustomerSession(customer.id(), clientIp));
	}

	private CustomerFields validated(Actor actor, CustomerFields fields) {
		String phone = fields.phone() == null || fields.phone().isBlank() ? null
				: PhoneNumbers.normalize(fields.phone(), "phone");
		if (fields.homeStoreId() != null) {
			OrgNode store = nodes.find(fields.homeStoreId())
				.orElseThrow(() -> ApiException.badRequest("unknown-org-node", "homeStoreId",
						"No store " + fields.homeStoreId()));
			if (store.kind() != OrgNodeKind.STORE) {
				throw ApiException.badRequest("not-a-store", "homeStoreId",
						"The home store must be a store, not a " + store.kind());
			}
		}
		if (fields.birthday() != null
				&& (fields.birthday().isAfter(LocalDate.now(clock)) || fields.birthday().getYear() < 1900)) {
			throw ApiException.badRequest("invalid-value", "birthday", "must be a past date after 1900");
		}
		if (fields.locale() != null && !CustomerProfile.LOCALES.contains(fields.locale())) {
			throw ApiException.badRequest("invalid-value", "locale", "locale is zh-CN or en");
		}
		return new CustomerFields(phone, fields.nickname(), fields.homeStoreId(), fields.memberLevel(),
				fields.birthday(), fields.locale());
	}

	private static void requireExternalId(String externalId) {
		if (!EXTERNAL_ID.matcher(externalId).matches()) {
			throw ApiException.badRequest("invalid-external-id", "externalId",
					"must be 1-128 characters of letters, digits and . _ : @ -");
		}
	}
}
