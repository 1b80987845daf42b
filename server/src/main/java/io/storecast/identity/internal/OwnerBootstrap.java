package io.storecast.identity.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import io.storecast.identity.OpeningHours;
import io.storecast.identity.OrgNode;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.OrgNodeKind;
import io.storecast.identity.Role;
import io.storecast.identity.StaffId;
import io.storecast.platform.Ids;

/**
 * At first start, before the server takes requests: creates the head office and the owner account.
 * The owner's password comes from {@code STORECAST_OWNER_PASSWORD}, or is generated, logged once and
 * must be changed at first login. There is never a default password.
 */
@Component
class OwnerBootstrap implements SmartInitializingSingleton {

	private static final Logger log = LoggerFactory.getLogger(OwnerBootstrap.class);

	private final OrgNodes nodes;
	private final StaffMembers staff;
	private final Passwords passwords;
	private final Installation installation;
	private final AuditLog audit;
	private final IdentitySettings settings;
	private final TransactionTemplate tx;
	private final Clock clock;

	OwnerBootstrap(OrgNodes nodes, StaffMembers staff, Passwords passwords, Installation installation, AuditLog audit,
			IdentitySettings settings, TransactionTemplate tx, Clock clock) {
		this.nodes = nodes;
		this.staff = staff;
		this.passwords = passwords;
		this.installation = installation;
		this.audit = audit;
		this.settings = settings;
		this.tx = tx;
		this.clock = clock;
	}

	@Override
	public void afterSingletonsInstantiated() {
		tx.executeWithoutResult(status -> bootstrap());
	}

	private void bootstrap() {
		installation.lock();
		Instant now = clock.instant();
		OrgNode headOffice = nodes.findHeadOffice().orElseGet(() -> {
			OrgNodeId id = new OrgNodeId(Ids.newId());
			OrgNode hq = new OrgNode(id, null, OrgNodeKind.HEAD_OFFICE, "HQ", "总部", OrgManagement.DEFAULT_ZONE, null,
					OpeningHours.none(), "/" + id.value() + "/", now, now);
			nodes.insert(hq);
			return hq;
		});
		if (staff.any()) {
			return;
		}
		String username = settings.ownerUsername();
		String configured = settings.ownerPassword();
		boolean generated = configured == null || configured.isBlank();
		String password = generated ? Secrets.password() : configured;
		if (!generated) {
			String weakness = Passwords.weakness(password, username);
			if (weakness != null) {
				throw new IllegalStateException("STORECAST_OWNER_PASSWORD is too weak: it " + weakness);
			}
		}
		StaffMember owner = new StaffMember(new StaffId(Ids.newId()), username, "店主 Owner", Role.OWNER,
				headOffice.id(), null, passwords.hash(password), generated, StaffMember.Status.ACTIVE, now, now);
		staff.insert(owner);
		installation.set("owner-created", owner.id().toString());
		audit.record("OWNER_CREATED", null, null, username, headOffice.path(), null,
				Map.of("passwordSource", generated ? "generated" : "STORECAST_OWNER_PASSWORD"));
		if (generated) {
			log.warn("""

					==============================================================================
					 Storecast owner account created.
					   username: {}
					   one-time password: {}
					 This password is shown only now. You must change it at first login.
					 (Set STORECAST_OWNER_PASSWORD before the first start to choose it yourself.)
					==============================================================================""",
					username, password);
		}
		else {
			log.info("Storecast owner account '{}' created with the password from STORECAST_OWNER_PASSWORD", username);
		}
	}
}
