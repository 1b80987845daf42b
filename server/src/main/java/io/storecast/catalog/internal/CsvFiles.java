package io.storecast.catalog.internal;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.springframework.http.HttpStatus;

import io.storecast.platform.ApiException;

/**
 * CSV files as Chinese POS systems and spreadsheets export them: UTF-8 (with or without a BOM) or
 * GBK, comma-separated, a header row naming the columns, quoted fields that may hold commas and line
 * breaks. Files are read as streams, never whole into memory.
 */
final class CsvFiles {

	static final Charset GBK = Charset.forName("GBK");
	private static final byte[] UTF8_BOM = { (byte) 0xEF, (byte) 0xBB, (byte) 0xBF };

	private CsvFiles() {
	}

	/** Copies an upload to {@code target}, refusing (413, and deleting it) past {@code maxBytes}; returns its size. */
	static long store(InputStream in, Path target, long maxBytes) throws IOException {
		long total = 0;
		byte[] buffer = new byte[64 * 1024];
		try (OutputStream out = Files.newOutputStream(target)) {
			int n;
			while ((n = in.read(buffer)) >= 0) {
				total += n;
				if (total > maxBytes) {
					throw new ApiException(HttpStatus.CONTENT_TOO_LARGE, "file-too-large",
							"The file is larger than the limit of " + maxBytes + " bytes");
				}
				out.write(buffer, 0, n);
			}
		}
		catch (IOException | RuntimeException e) {
			Files.deleteIfExists(target);
			throw e;
		}
		return total;
	}

	/**
	 * The file's encoding: UTF-8 if every byte decodes as strict UTF-8 (a BOM is allowed), else GBK if
	 * every byte decodes as strict GBK; anything else (UTF-16, Latin-1 with stray bytes, binary) is
	 * refused with 400 {@code unreadable-encoding}, naming the first offending byte offset.
	 */
	static Charset detect(Path file) throws IOException {
		long utf8Error = firstError(file, StandardCharsets.UTF_8);
		if (utf8Error < 0) {
			return StandardCharsets.UTF_8;
		}
		long gbkError = firstError(file, GBK);
		if (gbkError < 0) {
			return GBK;
		}
		throw ApiException.badRequest("unreadable-encoding", "file",
				"The file is neither UTF-8 nor GBK (not UTF-8 at byte " + utf8Error + ", not GBK at byte " + gbkError
						+ "); save it as CSV UTF-8 or as GBK");
	}

	/** The offset of the first byte that does not decode (or is a NUL), -1 when the whole file decodes. */
	static long firstError(Path file, Charset charset) throws IOException {
		CharsetDecoder decoder = charset.newDecoder()
			.onMalformedInput(CodingErrorAction.REPORT)
			.onUnmappableCharacter(CodingErrorAction.REPORT);
		ByteBuffer in = ByteBuffer.allocate(64 * 1024);
		CharBuffer out = CharBuffer.allocate(64 * 1024);
		long consumed = 0;
		try (InputStream stream = Files.newInputStream(file)) {
			boolean eof = false;
			while (!eof) {
				int n = stream.read(in.array(), in.position(), in.remaining());
				if (n < 0) {
					eof = true;
				}
				else {
					in.position(in.position() + n);
				}
				in.flip();
				for (int i = in.position(); i < in.limit(); i++) {
					if (in.get(i) == 0) {
						return consumed + (i - in.position());
					}
				}
				int before = in.position();
				CoderResult result = decoder.decode(in, out, eof);
				if (result.isError()) {
					return consumed + (in.position() - before);
				}
				consumed += in.position() - before;
				out.clear();
				in.compact();
			}
			CoderResult flush = decoder.flush(out);
			if (flush.isError()) {
				return consumed;
			}
		}
		return -1;
	}

	/** A CSV parser over the file; the header row is read and checked against the known columns. */
	static CSVParser open(Path file, Charset charset, Set<String> required, Set<String> optional) throws IOException {
		InputStream bytes = new BufferedInputStream(Files.newInputStream(file), 64 * 1024);
		if (charset.equals(StandardCharsets.UTF_8)) {
			bytes.mark(3);
			byte[] head = bytes.readNBytes(3);
			if (!java.util.Arrays.equals(head, UTF8_BOM)) {
				bytes.reset();
			}
		}
		Reader reader = new InputStreamReader(bytes, charset.newDecoder()
			.onMalformedInput(CodingErrorAction.REPORT)
			.onUnmappableCharacter(CodingErrorAction.REPORT));
		CSVParser parser;
		try {
			parser = CSVFormat.RFC4180.builder()
				.setHeader()
				.setSkipHeaderRecord(true)
				.setIgnoreHeaderCase(true)
				.setTrim(true)
				.setIgnoreEmptyLines(true)
				.get()
				.parse(reader);
		}
		catch (IllegalArgumentException | UncheckedIOException e) {
			reader.close();
			throw ApiException.badRequest("invalid-header", "file",
					"The header row is not usable: " + e.getMessage() + " (each column named once, separated by commas)");
		}
		try {
			checkHeader(parser.getHeaderNames(), required, optional);
		}
		catch (ApiException e) {
			parser.close();
			throw e;
		}
		return parser;
	}

	static void checkHeader(List<String> header, Set<String> required, Set<String> optional) {
		Set<String> names = new LinkedHashSet<>();
		for (String name : header) {
			String column = name.strip().toLowerCase(Locale.ROOT);
			if (!required.contains(column) && !optional.contains(column)) {
				throw ApiException.badRequest("unknown-column", column.isEmpty() ? "file" : column,
						"Unknown column '" + name + "'; the columns are " + String.join(", ", required) + " (required) and "
								+ String.join(", ", optional));
			}
			names.add(column);
		}
		List<String> missing = new ArrayList<>(required);
		missing.removeAll(names);
		if (!missing.isEmpty()) {
			throw ApiException.badRequest("missing-columns", missing.getFirst(),
					"The header row lacks the required column" + (missing.size() > 1 ? "s " : " ")
							+ String.join(", ", missing) + " (found: " + String.join(", ", names) + ")");
		}
	}

	/** Whether the file has a CharacterCodingException anywhere in its chain (a decode error while parsing). */
	static boolean isDecodingError(Throwable e) {
		for (Throwable t = e; t != null; t = t.getCause()) {
			if (t instanceof CharacterCodingException) {
				return true;
			}
		}
		return false;
	}
}
