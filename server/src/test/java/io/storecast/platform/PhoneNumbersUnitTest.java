package io.storecast.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PhoneNumbersUnitTest {

	@ParameterizedTest
	@CsvSource({ "+8613812345678,+8613812345678", "13812345678,+8613812345678", "138 1234 5678,+8613812345678",
			"0086-138-1234-5678,+8613812345678", "+85291234567,+85291234567", "+14155552671,+14155552671" })
	void normalizes_to_e164(String raw, String expected) {
		assertThat(PhoneNumbers.normalize(raw, "phone")).isEqualTo(expected);
	}

	@ParameterizedTest
	@ValueSource(strings = { "12345", "+0123456789", "+8612812345678", "+86138123456789", "phone", "+86 138-1234-567x",
			"1381234567" })
	void refuses_what_is_not_a_number(String raw) {
		assertThatThrownBy(() -> PhoneNumbers.normalize(raw, "phone")).isInstanceOfSatisfying(ApiException.class,
				e -> assertThat(e.fieldProblems()).extracting(ApiException.FieldProblem::field).containsExactly("phone"));
	}
}
