package io.storecast.messaging.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import io.storecast.messaging.MessageKind;
import io.storecast.messaging.internal.FileTypes.Sniffed;

class FileTypesUnitTest {

	@Test
	void images_are_recognised_by_their_magic_numbers() {
		assertThat(sniff(bytes(0xFF, 0xD8, 0xFF, 0xE0), "a.png")).isEqualTo(new Sniffed(MessageKind.IMAGE, "image/jpeg"));
		assertThat(sniff(bytes(0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A), null))
			.isEqualTo(new Sniffed(MessageKind.IMAGE, "image/png"));
		assertThat(sniff(ascii("GIF89a...."), null)).isEqualTo(new Sniffed(MessageKind.IMAGE, "image/gif"));
		assertThat(sniff(ascii("RIFF\0\0\0\0WEBPVP8 "), null)).isEqualTo(new Sniffed(MessageKind.IMAGE, "image/webp"));
	}

	@Test
	void voice_video_and_documents_too() {
		assertThat(sniff(ascii("#!AMR\n...."), null)).isEqualTo(new Sniffed(MessageKind.VOICE, "audio/amr"));
		assertThat(sniff(ascii("ID3\u0004\0\0"), null)).isEqualTo(new Sniffed(MessageKind.VOICE, "audio/mpeg"));
		assertThat(sniff(bytes(0xFF, 0xFB, 0x90, 0x64), null)).isEqualTo(new Sniffed(MessageKind.VOICE, "audio/mpeg"));
		assertThat(sniff(ascii("OggS\0\u0002"), null)).isEqualTo(new Sniffed(MessageKind.VOICE, "audio/ogg"));
		assertThat(sniff(ascii("RIFF\0\0\0\0WAVEfmt "), null)).isEqualTo(new Sniffed(MessageKind.VOICE, "audio/wav"));
		assertThat(sniff(ascii("\0\0\0\u0020ftypM4A \0\0\0\0"), null)).isEqualTo(new Sniffed(MessageKind.VOICE, "audio/mp4"));
		assertThat(sniff(ascii("\0\0\0\u0020ftypisom\0\0\0\0"), null)).isEqualTo(new Sniffed(MessageKind.VIDEO, "video/mp4"));
		assertThat(sniff(ascii("\0\0\0\u0014ftypqt  \0\0\0\0"), null))
			.isEqualTo(new Sniffed(MessageKind.VIDEO, "video/quicktime"));
		byte[] webm = concat(bytes(0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84), ascii("webm"));
		assertThat(sniff(webm, null)).isEqualTo(new Sniffed(MessageKind.VIDEO, "video/webm"));
		assertThat(sniff(ascii("%PDF-1.7\n"), "x.exe")).isEqualTo(new Sniffed(MessageKind.FILE, "application/pdf"));
		assertThat(sniff(ascii("PK\u0003\u0004\u0014\0"), "报价单.XLSX")).isEqualTo(new Sniffed(MessageKind.FILE,
				"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
		assertThat(sniff(ascii("PK\u0003\u0004\u0014\0"), "photos.zip"))
			.isEqualTo(new Sniffed(MessageKind.FILE, "application/zip"));
		assertThat(sniff(bytes(0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1), "旧表格.xls"))
			.isEqualTo(new Sniffed(MessageKind.FILE, "application/vnd.ms-excel"));
	}

	@Test
	void anything_else_is_refused_whatever_its_name() {
		assertThat(sniff(ascii("<html><script>alert(1)</script>"), "photo.png")).isNull();
		assertThat(sniff(ascii("<svg xmlns=\"http://www.w3.org/2000/svg\"/>"), "logo.svg")).isNull();
		assertThat(sniff(ascii("MZ\u0090\0"), "setup.pdf")).isNull();
		assertThat(sniff(ascii("\0\0\0\u0018ftypheic\0\0\0\0"), "photo.heic")).isNull();
		assertThat(sniff(bytes(0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1), "installer.msi")).isNull();
		assertThat(sniff(bytes(0xFF, 0xD8), "short.jpg")).isNull();
		assertThat(sniff(new byte[0], "empty.png")).isNull();
	}

	@Test
	void client_file_names_are_cleaned_for_display() {
		assertThat(FileService.cleanName("C:\\Users\\me\\报价单.pdf")).isEqualTo("报价单.pdf");
		assertThat(FileService.cleanName("../../etc/passwd")).isEqualTo("passwd");
		assertThat(FileService.cleanName("a\u0000b\nc.png")).isEqualTo("abc.png");
		assertThat(FileService.cleanName("   ")).isNull();
		assertThat(FileService.cleanName("x".repeat(300))).hasSize(FileService.MAX_NAME_LENGTH);
	}

	private static @Nullable Sniffed sniff(byte[] head, @Nullable String name) {
		byte[] padded = Arrays.copyOf(head, FileTypes.HEAD_LENGTH);
		return FileTypes.sniff(padded, head.length, name);
	}

	private static byte[] bytes(int... values) {
		byte[] b = new byte[values.length];
		for (int i = 0; i < values.length; i++) {
			b[i] = (byte) values[i];
		}
		return b;
	}

	private static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.ISO_8859_1);
	}

	private static byte[] concat(byte[] a, byte[] b) {
		byte[] c = Arrays.copyOf(a, a.length + b.length);
		System.arraycopy(b, 0, c, a.length, b.length);
		return c;
	}
}
