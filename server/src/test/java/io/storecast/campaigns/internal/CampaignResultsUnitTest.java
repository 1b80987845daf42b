package io.storecast.campaigns.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.storecast.campaigns.CampaignId;
import io.storecast.platform.ApiException;

class CampaignResultsUnitTest {

	@Test
	void rates_and_roi_are_rounded_to_four_places_and_null_without_a_base() {
		assertThat(CampaignResults.rate(1, 3)).isEqualTo(0.3333);
		assertThat(CampaignResults.rate(0, 0)).isNull();
		assertThat(CampaignResults.roi(22_600, 3000)).isEqualTo(6.5333);
		assertThat(CampaignResults.roi(1000, 3000)).isEqualTo(-0.6667);
		assertThat(CampaignResults.roi(22_600, 0)).isNull();
	}

	@Test
	void csv_has_a_byte_order_mark_quotes_what_needs_it_and_defuses_formulas() {
		Results.Counts counts = new Results.Counts(10, 10, 9, 3, 1, 2, 1, 0, 0, 4, 2, 2, 45_200, 6000);
		CampaignResults.Figures f = CampaignResults.Figures.of(counts);
		var view = new CampaignResults.ResultsView(CampaignId.valueOf("00000000-0000-0000-0000-000000000001"), "月饼",
				CampaignResults.By.STORE, 0, 0, Duration.ofDays(14), f,
				List.of(new CampaignResults.Row("a", "上海,南京路\"店\"", f), new CampaignResults.Row("b", "=SUM(A1)", f),
						new CampaignResults.Row(null, null, f)));
		String[] lines = CampaignResults.csv(view).split("\r\n");
		assertThat(lines[0]).startsWith("\uFEFFstore,label,recipients,");
		assertThat(lines[1]).startsWith("a,\"上海,南京路\"\"店\"\"\",10,10,9,3,1,2,1,0,0,4,2,2,45200,6000,0.3333,0.2222,0.5,6.5333");
		assertThat(lines[2]).startsWith("b,'=SUM(A1),");
		assertThat(lines[3]).startsWith(",,10,");
		assertThat(lines[4]).startsWith("total,合计 Total,10,");
	}

	@Test
	void a_link_target_is_an_absolute_http_url() {
		assertThat(TrackedLinks.target(" https://shop.example.com/a?b=c ")).isEqualTo("https://shop.example.com/a?b=c");
		assertThat(TrackedLinks.target("HTTP://shop.example.com")).isEqualTo("HTTP://shop.example.com");
		assertThat(TrackedLinks.target(null)).isNull();
		for (String bad : List.of("ftp://x.y/z", "javascript:alert(1)", "//shop.example.com", "https://", "a b",
				"https://x.y/" + "a".repeat(2000))) {
			assertThatThrownBy(() -> TrackedLinks.target(bad)).as(bad)
				.isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo("validation-failed"));
		}
	}
}
