package io.storecast.identity;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RoleUnitTest {

	@Test
	void only_the_owner_manages_api_keys_and_clerks_manage_no_one() {
		for (Role role : Role.values()) {
			assertThat(role.permissions().contains(Permission.API_KEYS_MANAGE)).isEqualTo(role == Role.OWNER);
		}
		assertThat(Role.CLERK.permissions()).doesNotContain(Permission.STAFF_WRITE, Permission.ORG_WRITE);
		assertThat(Role.HQ_MARKETER.permissions()).doesNotContain(Permission.STAFF_WRITE);
	}

	@Test
	void ranks_and_placement_follow_the_org_tree() {
		assertThat(Role.OWNER.outranks(Role.HQ_MARKETER)).isTrue();
		assertThat(Role.REGION_MANAGER.outranks(Role.STORE_MANAGER)).isTrue();
		assertThat(Role.STORE_MANAGER.outranks(Role.CLERK)).isTrue();
		assertThat(Role.CLERK.outranks(Role.CLERK)).isFalse();
		assertThat(Role.REGION_MANAGER.placedAt()).isEqualTo(OrgNodeKind.REGION);
		assertThat(OrgNodeKind.STORE.mayBeChildOf(OrgNodeKind.HEAD_OFFICE)).isTrue();
		assertThat(OrgNodeKind.STORE.mayBeChildOf(OrgNodeKind.STORE)).isFalse();
		assertThat(OrgNodeKind.REGION.mayBeChildOf(OrgNodeKind.REGION)).isFalse();
	}
}
