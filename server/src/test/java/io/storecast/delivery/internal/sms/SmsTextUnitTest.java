package io.storecast.delivery.internal.sms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import io.storecast.delivery.internal.sms.SmsText.Encoding;
import io.storecast.platform.ApiException;

class SmsTextUnitTest {

	@Test
	void ascii_fits_160_in_one_and_153_per_part() {
		assertShape("a".repeat(160), Encoding.GSM7, 160);
		assertShape("a".repeat(161), Encoding.GSM7, 153, 8);
		assertShape("a".repeat(306), Encoding.GSM7, 153, 153);
		assertShape("a".repeat(307), Encoding.GSM7, 153, 153, 1);
	}

	@Test
	void chinese_fits_70_in_one_and_67_per_part() {
		assertShape("好".repeat(70), Encoding.UCS2, 140);
		assertShape("好".repeat(71), Encoding.UCS2, 134, 8);
		assertShape("好".repeat(134), Encoding.UCS2, 134, 134);
		assertShape("好".repeat(135), Encoding.UCS2, 134, 134, 2);
	}

	@Test
	void the_signature_counts_and_makes_any_text_ucs2() {
		assertThat(SmsText.signed("店名", "好".repeat(66))).hasSize(70);
		assertThat(SmsText.segments(SmsText.signed("店名", "好".repeat(66)))).isEqualTo(1);
		assertThat(SmsText.segments(SmsText.signed("店名", "好".repeat(67)))).isEqualTo(2);
		// plain ASCII after the signature: 4 + 66 = 70 UCS-2 characters, not 160 septets
		SmsText signedAscii = SmsText.encode(SmsText.signed("店名", "a".repeat(67)), 1);
		assertThat(signedAscii.encoding()).isEqualTo(Encoding.UCS2);
		assertThat(signedAscii.segments()).isEqualTo(2);
		assertThat(SmsText.signed(" 小美花店 ", "hi")).isEqualTo("【小美花店】hi");
	}

	@Test
	void extension_characters_take_two_septets_and_stay_whole() {
		assertThat(SmsText.isGsm7("€[]{}^~|\\\f")).isTrue();
		assertShape("€".repeat(80), Encoding.GSM7, 160);
		SmsText over = SmsText.encode("€".repeat(81), 7);
		assertThat(over.segments()).isEqualTo(2);
		// 153 septets would end on an escape: the part takes 152 and the € moves to the next
		SmsText boundary = SmsText.encode("a".repeat(152) + "€" + "b".repeat(10), 9);
		assertThat(boundary.parts().get(0)).hasSize(6 + 152);
		assertThat(payload(boundary, 1)[0]).isEqualTo(SmsText.ESCAPE);
		assertThat(payload(boundary, 1)).hasSize(2 + 10);
		assertThat(SmsText.decodeGsm(concat(payload(boundary, 0), payload(boundary, 1))))
			.isEqualTo("a".repeat(152) + "€" + "b".repeat(10));
	}

	@Test
	void non_gsm_characters_switch_to_ucs2() {
		assertThat(SmsText.isGsm7("café")).isTrue(); // é is in the default alphabet
		assertThat(SmsText.isGsm7("français")).isFalse(); // ç is not (only Ç)
		assertThat(SmsText.isGsm7("Grüße")).isTrue();
		assertThat(SmsText.encode("a".repeat(100) + "ç", 0).encoding()).isEqualTo(Encoding.UCS2);
		assertThat(SmsText.encode("a".repeat(100) + "ç", 0).segments()).isEqualTo(2);
		assertThat(SmsText.isGsm7("\u001B")).isFalse();
	}

	@Test
	void an_emoji_is_never_split_across_parts() {
		assertThat(SmsText.segments("好".repeat(68) + "😀")).isEqualTo(1); // 70 UTF-16 units
		assertThat(SmsText.segments("好".repeat(69) + "😀")).isEqualTo(2); // 71
		String text = "好".repeat(66) + "😀" + "好".repeat(10);
		SmsText sms = SmsText.encode(text, 3);
		assertThat(sms.segments()).isEqualTo(2);
		assertThat(sms.parts().get(0)).hasSize(6 + 66 * 2);
		String second = new String(payload(sms, 1), StandardCharsets.UTF_16BE);
		assertThat(second).startsWith("😀").hasSize(12);
		assertThat(new String(payload(sms, 0), StandardCharsets.UTF_16BE) + second).isEqualTo(text);
	}

	@Test
	void parts_carry_a_concatenation_udh() {
		SmsText sms = SmsText.encode("好".repeat(135), 0xAB);
		for (int i = 0; i < 3; i++) {
			assertThat(Arrays.copyOf(sms.parts().get(i), 6))
				.containsExactly(0x05, 0x00, 0x03, 0xAB, 0x03, i + 1);
		}
		assertThat(SmsText.encode("hi", 1).parts().get(0)).containsExactly(0x68, 0x69);
	}

	@Test
	void check_refuses_more_segments_than_allowed_naming_the_field() {
		assertThat(SmsText.check("好".repeat(6 * 67), 6)).isEqualTo(6);
		assertThatThrownBy(() -> SmsText.check("好".repeat(6 * 67 + 1), 6)).isInstanceOfSatisfying(ApiException.class,
				e -> {
					assertThat(e.code()).isEqualTo("sms-too-long");
					assertThat(e.status().value()).isEqualTo(400);
					assertThat(e.fieldProblems()).extracting(ApiException.FieldProblem::field).containsExactly("content.smsText");
					assertThat(e.getMessage()).contains("7 segments").contains("at most 6");
				});
		// far beyond 255 parts: still the 400, not an exception of the encoder
		assertThatThrownBy(() -> SmsText.check("好".repeat(70_000), 6)).isInstanceOf(ApiException.class);
	}

	@Test
	void decodes_inbound_data_codings() {
		assertThat(SmsText.decode((byte) 0x08, "退订 😀".getBytes(StandardCharsets.UTF_16BE))).isEqualTo("退订 😀");
		assertThat(SmsText.decode((byte) 0x00, SmsText.encode("TD €", 0).parts().get(0))).isEqualTo("TD €");
		assertThat(SmsText.decode((byte) 0x03, "Grüße".getBytes(StandardCharsets.ISO_8859_1))).isEqualTo("Grüße");
		assertThat(SmsText.decode((byte) 0x01, "STOP".getBytes(StandardCharsets.US_ASCII))).isEqualTo("STOP");
		assertThat(SmsText.decode((byte) 0x0F, "退订".getBytes(java.nio.charset.Charset.forName("GB18030"))))
			.isEqualTo("退订");
	}

	private static void assertShape(String text, Encoding encoding, int... partLengths) {
		SmsText sms = SmsText.encode(text, 42);
		assertThat(sms.encoding()).isEqualTo(encoding);
		assertThat(sms.segments()).isEqualTo(partLengths.length).isEqualTo(SmsText.segments(text));
		int udh = partLengths.length > 1 ? 6 : 0;
		assertThat(sms.parts()).extracting(p -> p.length)
			.containsExactly(Arrays.stream(partLengths).map(n -> n + udh).boxed().toArray(Integer[]::new));
	}

	private static byte[] payload(SmsText sms, int part) {
		byte[] p = sms.parts().get(part);
		return Arrays.copyOfRange(p, 6, p.length);
	}

	private static byte[] concat(byte[] a, byte[] b) {
		byte[] out = Arrays.copyOf(a, a.length + b.length);
		System.arraycopy(b, 0, out, a.length, b.length);
		return out;
	}
}
