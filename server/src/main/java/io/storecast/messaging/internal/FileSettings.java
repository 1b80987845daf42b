package io.storecast.messaging.internal;

import java.nio.file.Path;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

import io.storecast.messaging.MessageKind;

/**
 * Where uploaded files are kept and what may be uploaded.
 *
 * @param dir the folder of the files; {@code ${STORECAST_DATA_DIR:./data}/files} when not set
 * @param maxImage largest image (JPEG, PNG, GIF, WebP)
 * @param maxVoice largest voice clip (AMR, MP3, M4A, OGG, WAV)
 * @param maxVideo largest video (MP4, WebM, MOV)
 * @param maxFile largest other file (PDF, office documents, zip)
 * @param allowedTypes the sniffed content types accepted; others are refused with 415
 * @param linkTtl how long a signed file link works
 * @param unsentTtl how long an upload may wait for the message that carries it before it is deleted
 */
@ConfigurationProperties("storecast.messaging.files")
record FileSettings(@Nullable Path dir, @DefaultValue("10MB") DataSize maxImage, @DefaultValue("5MB") DataSize maxVoice,
		@DefaultValue("50MB") DataSize maxVideo, @DefaultValue("20MB") DataSize maxFile,
		@DefaultValue({ "image/jpeg", "image/png", "image/gif", "image/webp", "audio/amr", "audio/amr-wb", "audio/mpeg",
				"audio/mp4", "audio/ogg", "audio/wav", "video/mp4", "video/webm", "video/quicktime", "application/pdf",
				"application/zip", "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
				"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
				"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
				"application/vnd.openxmlformats-officedocument.presentationml.presentation",
				"application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
				"application/vnd.oasis.opendocument.presentation" }) List<String> allowedTypes,
		@DefaultValue("1h") java.time.Duration linkTtl, @DefaultValue("24h") java.time.Duration unsentTtl) {

	FileSettings {
		allowedTypes = List.copyOf(allowedTypes);
	}

	/** The size limit of a kind of file. */
	DataSize maxSize(MessageKind kind) {
		return switch (kind) {
			case IMAGE -> maxImage;
			case VOICE -> maxVoice;
			case VIDEO -> maxVideo;
			case FILE -> maxFile;
			default -> throw new IllegalArgumentException(kind + " messages carry no file");
		};
	}

	/** The largest file of any kind: the multipart limit of the servlet container. */
	DataSize largest() {
		return DataSize.ofBytes(
				Math.max(Math.max(maxImage.toBytes(), maxVoice.toBytes()), Math.max(maxVideo.toBytes(), maxFile.toBytes())));
	}
}
