package io.storecast.messaging;

/** What a message carries. RECALL and SYSTEM are written by the server only. */
public enum MessageKind {
	TEXT, CARD, IMAGE, VOICE, VIDEO, FILE, RECALL, SYSTEM
}
