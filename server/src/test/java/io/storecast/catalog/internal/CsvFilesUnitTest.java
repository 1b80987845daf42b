package io.storecast.catalog.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.storecast.catalog.Customisation;
import io.storecast.catalog.CustomisationKind;
import io.storecast.platform.ApiException;

class CsvFilesUnitTest {

	@TempDir
	Path dir;

	Path file(byte[] bytes) throws Exception {
		Path file = Files.createTempFile(dir, "csv", ".csv");
		Files.write(file, bytes);
		return file;
	}

	@Test
	void utf8_with_or_without_a_bom_and_gbk_are_told_apart_and_anything_else_is_refused() throws Exception {
		String text = "name\n中秋月饼礼盒,送长辈\n";
		assertThat(CsvFiles.detect(file(text.getBytes(StandardCharsets.UTF_8)))).isEqualTo(StandardCharsets.UTF_8);
		byte[] bom = ("\uFEFF" + text).getBytes(StandardCharsets.UTF_8);
		assertThat(CsvFiles.detect(file(bom))).isEqualTo(StandardCharsets.UTF_8);
		assertThat(CsvFiles.detect(file(text.getBytes(CsvFiles.GBK)))).isEqualTo(CsvFiles.GBK);
		assertThatThrownBy(() -> CsvFiles.detect(file(new byte[] { 'a', ',', (byte) 0xFF, (byte) 0xFE, '\n' })))
			.isInstanceOf(ApiException.class)
			.hasFieldOrPropertyWithValue("code", "unreadable-encoding");
		assertThatThrownBy(() -> CsvFiles.detect(file("a,b".getBytes(StandardCharsets.UTF_16LE))))
			.hasFieldOrPropertyWithValue("code", "unreadable-encoding");
	}

	@Test
	void an_upload_over_the_limit_is_refused_and_its_file_removed() throws Exception {
		Path target = dir.resolve("big.csv");
		assertThatThrownBy(() -> CsvFiles.store(new ByteArrayInputStream(new byte[2048]), target, 1024))
			.hasFieldOrPropertyWithValue("code", "file-too-large");
		assertThat(target).doesNotExist();
		assertThat(CsvFiles.store(new ByteArrayInputStream(new byte[100]), target, 1024)).isEqualTo(100);
	}

	@Test
	void the_header_must_name_the_required_columns_and_no_unknown_ones() {
		Set<String> required = Set.of("store", "sku_id", "quantity");
		Set<String> optional = Set.of("note");
		CsvFiles.checkHeader(List.of("SKU_ID", " store", "quantity", "note"), required, optional);
		assertThatThrownBy(() -> CsvFiles.checkHeader(List.of("store", "sku_id"), required, optional))
			.hasFieldOrPropertyWithValue("code", "missing-columns");
		assertThatThrownBy(() -> CsvFiles.checkHeader(List.of("store", "sku_id", "quantity", "qty"), required, optional))
			.hasFieldOrPropertyWithValue("code", "unknown-column");
	}

	@Test
	void cells_read_prices_in_yuan_times_in_the_merchants_zone_booleans_and_lists() {
		assertThat(CsvCells.yuan("199", "price")).isEqualTo(19900);
		assertThat(CsvCells.yuan("¥1,299.5", "price")).isEqualTo(129950);
		assertThat(CsvCells.yuan("0.05", "price")).isEqualTo(5);
		assertThat(CsvCells.yuan("-5", "price")).isEqualTo(-500);
		assertThatThrownBy(() -> CsvCells.yuan("1.234", "price")).hasFieldOrPropertyWithValue("code", "invalid-price");
		ZoneId shanghai = ZoneId.of("Asia/Shanghai");
		assertThat(CsvCells.time("2026/9/1 10:00", "launch_at", shanghai)).isEqualTo(Instant.parse("2026-09-01T02:00:00Z"));
		assertThat(CsvCells.time("2026-09-01", "launch_at", shanghai)).isEqualTo(Instant.parse("2026-08-31T16:00:00Z"));
		assertThat(CsvCells.time("2026-09-01T10:00:00+08:00", "launch_at", shanghai))
			.isEqualTo(Instant.parse("2026-09-01T02:00:00Z"));
		assertThat(CsvCells.bool("是", "active")).isTrue();
		assertThat(CsvCells.bool("0", "active")).isFalse();
		assertThat(CsvCells.list("中秋|春节、教师节; 生日")).containsExactly("中秋", "春节", "教师节", "生日");
		assertThat(ProductRows.customisations("刻字:2:3000|GREETING_CARD:1")).containsExactly(
				new Customisation(CustomisationKind.ENGRAVING, 3000, 2), new Customisation(CustomisationKind.GREETING_CARD, 0, 1));
		assertThatThrownBy(() -> ProductRows.customisations("tattoo:1")).hasFieldOrPropertyWithValue("code", "invalid-value");
	}
}
