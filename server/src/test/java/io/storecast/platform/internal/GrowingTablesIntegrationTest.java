package io.storecast.platform.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import io.storecast.support.StorecastIntegrationTest;

/**
 * A table that grows several times over after its statistics were taken is analyzed; one that has
 * grown a little, or only been updated (1,000 row changes on 10 rows), is left alone. In a schema of its own, so the server's own job (which looks at the
 * server's schema) cannot analyze it first.
 */
@StorecastIntegrationTest
class GrowingTablesIntegrationTest {

	@Autowired
	DataSource dataSource;

	@Autowired
	DatabaseSettings settings;

	@Test
	void a_table_that_grew_threefold_since_its_statistics_is_analyzed_once_and_one_only_updated_is_not() throws Exception {
		try (Connection connection = dataSource.getConnection()) {
			connection.setAutoCommit(true);
			JdbcTemplate sql = new JdbcTemplate(new SingleConnectionDataSource(connection, true));
			sql.execute("DROP SCHEMA IF EXISTS growing_it CASCADE");
			sql.execute("CREATE SCHEMA growing_it");
			sql.execute("SET search_path = growing_it");
			try {
				sql.execute("CREATE TABLE grows (id int PRIMARY KEY)");
				sql.execute("CREATE TABLE stays (id int PRIMARY KEY)");
				sql.execute("CREATE TABLE churns (id int PRIMARY KEY, n int NOT NULL)");
				sql.execute("INSERT INTO grows SELECT generate_series(1, 100)");
				sql.execute("INSERT INTO stays SELECT generate_series(1, 1000)");
				sql.execute("ANALYZE grows");
				sql.execute("ANALYZE stays");
				sql.execute("INSERT INTO churns SELECT generate_series(1, 10), 0");
				sql.execute("ANALYZE churns");
				for (int i = 0; i < 100; i++) {
					sql.execute("UPDATE churns SET n = n + 1");
				}
				sql.execute("INSERT INTO grows SELECT generate_series(101, 1000)");
				sql.execute("INSERT INTO stays SELECT generate_series(1001, 1100)");
				// this session's counts reach the statistics now, not at its next idle moment
				sql.execute("SELECT pg_stat_force_next_flush()");
				GrowingTables tables = new GrowingTables(sql, settings);

				assertThat(tables.growing()).containsExactly("growing_it.grows");
				assertThat(tables.analyzeGrowing()).isEqualTo(1);
				sql.execute("SELECT pg_stat_force_next_flush()");
				assertThat(sql.queryForObject("SELECT reltuples FROM pg_class WHERE oid = 'growing_it.grows'::regclass",
						Double.class)).isEqualTo(1000.0);
				assertThat(tables.growing()).isEmpty();
			}
			finally {
				sql.execute("DROP SCHEMA growing_it CASCADE");
				sql.execute("RESET search_path");
			}
		}
	}
}
