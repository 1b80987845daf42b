package io.storecast.messaging.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import io.storecast.messaging.MessageKind;

/**
 * Recognises an upload by its first bytes (its magic number), never by the name or the Content-Type
 * the client sent: a file is served to other members with the type found here, so a script
 * renamed to .png must not become an "image".
 */
final class FileTypes {

	/** Bytes to read before deciding; enough for every signature below (WebM names its doctype within them). */
	static final int HEAD_LENGTH = 256;

	/** What an upload is. */
	record Sniffed(MessageKind kind, String contentType) {
	}

	/** Brands of ISO media files (bytes 8-11 after "ftyp") that are plain MP4 video. */
	private static final Set<String> MP4_BRANDS = Set.of("isom", "iso2", "iso3", "iso4", "iso5", "iso6", "mp41", "mp42",
			"avc1", "M4V ", "M4VH", "M4VP", "dash", "mmp4", "MSNV", "3gp4", "3gp5", "3gp6", "3g2a");

	/** Zip-based document types, told apart by the name the client gave (the content is a zip either way). */
	private static final Map<String, String> ZIP_DOCUMENTS = Map.of("docx",
			"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "xlsx",
			"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pptx",
			"application/vnd.openxmlformats-officedocument.presentationml.presentation", "odt",
			"application/vnd.oasis.opendocument.text", "ods", "application/vnd.oasis.opendocument.spreadsheet", "odp",
			"application/vnd.oasis.opendocument.presentation");

	/** Legacy (OLE2) office documents, likewise. */
	private static final Map<String, String> OLE_DOCUMENTS = Map.of("doc", "application/msword", "xls",
			"application/vnd.ms-excel", "ppt", "application/vnd.ms-powerpoint");

	private FileTypes() {
	}

	/**
	 * The kind and content type of a file starting with {@code head} (of which {@code length} bytes
	 * are filled), or null when it is none that is accepted.
	 */
	static @Nullable Sniffed sniff(byte[] head, int length, @Nullable String originalName) {
		byte[] b = Arrays.copyOf(head, Math.min(length, head.length));
		if (starts(b, 0, 0xFF, 0xD8, 0xFF)) {
			return new Sniffed(MessageKind.IMAGE, "image/jpeg");
		}
		if (starts(b, 0, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
			return new Sniffed(MessageKind.IMAGE, "image/png");
		}
		if (ascii(b, 0, "GIF87a") || ascii(b, 0, "GIF89a")) {
			return new Sniffed(MessageKind.IMAGE, "image/gif");
		}
		if (ascii(b, 0, "RIFF") && ascii(b, 8, "WEBP")) {
			return new Sniffed(MessageKind.IMAGE, "image/webp");
		}
		if (ascii(b, 0, "RIFF") && ascii(b, 8, "WAVE")) {
			return new Sniffed(MessageKind.VOICE, "audio/wav");
		}
		if (ascii(b, 0, "#!AMR-WB\n")) {
			return new Sniffed(MessageKind.VOICE, "audio/amr-wb");
		}
		if (ascii(b, 0, "#!AMR\n")) {
			return new Sniffed(MessageKind.VOICE, "audio/amr");
		}
		if (ascii(b, 0, "OggS")) {
			return new Sniffed(MessageKind.VOICE, "audio/ogg");
		}
		if (ascii(b, 0, "ID3") || mp3Frame(b)) {
			return new Sniffed(MessageKind.VOICE, "audio/mpeg");
		}
		if (ascii(b, 4, "ftyp") && b.length >= 12) {
			String brand = new String(b, 8, 4, StandardCharsets.ISO_8859_1);
			if (brand.equals("M4A ") || brand.equals("M4B ")) {
				return new Sniffed(MessageKind.VOICE, "audio/mp4");
			}
			if (brand.equals("qt  ")) {
				return new Sniffed(MessageKind.VIDEO, "video/quicktime");
			}
			if (MP4_BRANDS.contains(brand)) {
				return new Sniffed(MessageKind.VIDEO, "video/mp4");
			}
			return null; // HEIC, AVIF, JPEG 2000 ... share the container but are not accepted
		}
		if (ascii(b, 4, "moov") || ascii(b, 4, "wide") || ascii(b, 4, "mdat")) {
			// QuickTime files from before the ftyp box start with an atom like these
			return new Sniffed(MessageKind.VIDEO, "video/quicktime");
		}
		if (starts(b, 0, 0x1A, 0x45, 0xDF, 0xA3) && contains(b, "webm")) {
			return new Sniffed(MessageKind.VIDEO, "video/webm");
		}
		if (ascii(b, 0, "%PDF-")) {
			return new Sniffed(MessageKind.FILE, "application/pdf");
		}
		if (starts(b, 0, 'P', 'K', 0x03, 0x04) || starts(b, 0, 'P', 'K', 0x05, 0x06)) {
			return new Sniffed(MessageKind.FILE, ZIP_DOCUMENTS.getOrDefault(extension(originalName), "application/zip"));
		}
		if (starts(b, 0, 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1)) {
			String type = OLE_DOCUMENTS.get(extension(originalName));
			// other OLE2 containers (msi installers, old Outlook files) are not documents to pass around
			return type == null ? null : new Sniffed(MessageKind.FILE, type);
		}
		return null;
	}

	/** An MPEG audio layer III frame header without ID3 tag: 11 sync bits, MPEG 1/2/2.5, layer III. */
	private static boolean mp3Frame(byte[] b) {
		if (b.length < 3 || (b[0] & 0xFF) != 0xFF || (b[1] & 0xE0) != 0xE0) {
			return false;
		}
		int version = (b[1] >> 3) & 0x03;
		int layer = (b[1] >> 1) & 0x03;
		int bitrate = (b[2] >> 4) & 0x0F;
		return version != 1 && layer == 1 && bitrate != 0 && bitrate != 0x0F;
	}

	private static boolean starts(byte[] b, int offset, int... expected) {
		if (b.length < offset + expected.length) {
			return false;
		}
		for (int i = 0; i < expected.length; i++) {
			if ((b[offset + i] & 0xFF) != expected[i]) {
				return false;
			}
		}
		return true;
	}

	private static boolean ascii(byte[] b, int offset, String expected) {
		return starts(b, offset, expected.chars().toArray());
	}

	private static boolean contains(byte[] b, String needle) {
		return new String(b, StandardCharsets.ISO_8859_1).contains(needle);
	}

	private static String extension(@Nullable String name) {
		if (name == null) {
			return "";
		}
		int dot = name.lastIndexOf('.');
		return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
	}
}
