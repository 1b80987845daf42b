package io.storecast.platform;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

import org.postgresql.PGStatement;
import org.springframework.jdbc.core.PreparedStatementCreator;

/**
 * A statement PostgreSQL plans on every call (an unnamed statement), never on a plan the JDBC driver
 * kept after five uses. For the few hot statements on a table that goes from empty to a million rows
 * within one flash sale or campaign, faster than the growing-tables analysis ({@code storecast.db.analyze-growing})
 * can follow: a plan made on the empty table scans all of it.
 */
public final class PlannedEachCall {

	/** Binds a statement's parameters (the connection makes arrays). */
	@FunctionalInterface
	public interface Binder {
		void bind(Connection connection, PreparedStatement statement) throws SQLException;
	}

	private PlannedEachCall() {
	}

	/** For {@code JdbcTemplate.query(creator, mapper)}: {@code sql} with its parameters, planned on each call. */
	public static PreparedStatementCreator statement(String sql, Binder binder) {
		return connection -> {
			PreparedStatement statement = connection.prepareStatement(sql);
			statement.unwrap(PGStatement.class).setPrepareThreshold(0);
			binder.bind(connection, statement);
			return statement;
		};
	}
}
