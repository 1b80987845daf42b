package io.storecast.messaging.internal;

/** Tells one emoji (with its modifiers, joiners and variation selectors) from any other text. */
final class Emoji {

	private Emoji() {
	}

	static boolean isEmoji(String text) {
		if (text == null || text.isEmpty() || text.length() > 32) {
			return false;
		}
		int[] cps = text.codePoints().toArray();
		if (cps.length > 10) {
			return false;
		}
		boolean pictographic = false;
		for (int i = 0; i < cps.length; i++) {
			int cp = cps[i];
			if (cp == 0x200D || cp == 0xFE0F || cp == 0x20E3 || (cp >= 0x1F3FB && cp <= 0x1F3FF)
					|| (cp >= 0xE0020 && cp <= 0xE007F)) {
				continue; // joiner, variation selector, keycap, skin tone, tag
			}
			if ((cp >= '0' && cp <= '9' || cp == '#' || cp == '*') && i + 1 < cps.length
					&& (cps[i + 1] == 0xFE0F || cps[i + 1] == 0x20E3)) {
				pictographic = true; // keycap base
				continue;
			}
			int type = Character.getType(cp);
			if (type == Character.OTHER_SYMBOL || (cp >= 0x1F1E6 && cp <= 0x1F1FF)) {
				pictographic = true;
				continue;
			}
			return false;
		}
		return pictographic;
	}
}
