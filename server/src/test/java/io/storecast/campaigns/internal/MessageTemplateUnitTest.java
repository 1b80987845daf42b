package io.storecast.campaigns.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

class MessageTemplateUnitTest {

	@Test
	void variables_are_found_rendered_and_measured_at_their_longest() {
		MessageTemplate t = MessageTemplate.parse("{nickname}您好,{store}的{product}满200减30 {} {1 2} {nickname}");
		assertThat(t.variables()).containsExactly("nickname", "store", "product", "nickname");
		assertThat(t.firstUnknown(Set.of("nickname", "store", "product"))).isEmpty();
		assertThat(t.firstUnknown(Set.of("nickname", "store"))).contains("product");
		assertThat(t.render(Map.of("nickname", "小美", "store", "杭州西湖店", "product", "月饼礼盒")))
			.isEqualTo("小美您好,杭州西湖店的月饼礼盒满200减30 {} {1 2} 小美");
		// each {nickname} (10 characters) counts at 10, {store} at 6, {product} at 4
		int plain = t.text().length() - 2 * "{nickname}".length() - "{store}".length() - "{product}".length();
		assertThat(t.longestLength(Map.of("nickname", 10, "store", 6, "product", 4))).isEqualTo(plain + 20 + 6 + 4);
	}

	@Test
	void replacement_text_is_taken_literally() {
		assertThat(MessageTemplate.parse("券码 {coupon}").render(Map.of("coupon", "$1\\AB-CD"))).isEqualTo("券码 $1\\AB-CD");
		assertThat(MessageTemplate.parse("{shoeSize}").firstUnknown(MessageTemplate.KNOWN)).contains("shoeSize");
	}

	@Test
	void rendering_matches_what_the_variable_pattern_finds() {
		Map<String, String> values = Map.of("a", "1", "b_2", "2", "x", "X");
		// a brace before a variable, unclosed braces, a non-word, adjacent variables, an unknown one, text around
		String text = "{{a}} {a {b_2}{a}{x} {9a} {a b} {_} {a}}{ end{";
		String expected = text.replace("{a}", "1").replace("{b_2}", "2").replace("{x}", "X").replace("{_}", "");
		assertThat(MessageTemplate.parse(text).render(values)).isEqualTo(expected).isEqualTo("{1} {a 21X {9a} {a b}  1}{ end{");
		assertThat(MessageTemplate.parse("{a}").render(values)).isEqualTo("1");
		assertThat(MessageTemplate.parse("{").render(values)).isEqualTo("{");
	}
}
