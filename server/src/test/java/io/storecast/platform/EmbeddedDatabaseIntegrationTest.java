package io.storecast.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.storecast.support.StorecastIntegrationTest;
import io.storecast.support.TestDatabase;

/** The database Storecast runs on is durable and speaks UTF-8, whichever one it is. */
@StorecastIntegrationTest
class EmbeddedDatabaseIntegrationTest {

	@Autowired
	JdbcClient jdbc;

	@Test
	void commits_are_durable_on_the_embedded_database() {
		assumeFalse(TestDatabase.external(), "the external database's settings are its operator's");
		assertThat(show("fsync")).isEqualTo("on");
		assertThat(show("synchronous_commit")).isEqualTo("on");
		assertThat(show("server_version")).startsWith("17.");
	}

	@Test
	void chinese_text_round_trips() {
		assertThat(show("server_encoding")).isEqualTo("UTF8");
		assertThat(jdbc.sql("SELECT CAST(? AS text)").param("月饼礼盒 满200减30 🎁 退訂").query(String.class).single())
			.isEqualTo("月饼礼盒 满200减30 🎁 退訂");
	}

	private String show(String setting) {
		return jdbc.sql("SHOW " + setting).query(String.class).single();
	}
}
