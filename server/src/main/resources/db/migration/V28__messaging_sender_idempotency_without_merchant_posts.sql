-- A merchant post has no sender, and NULLs are distinct in a unique index: the senders' idempotency
-- index never enforced anything for it (messaging_messages_merchant_idempotency_uq does), but it took
-- an entry for every campaign message. It now holds the messages that have a sender only.
DROP INDEX messaging_messages_idempotency_uq;
CREATE UNIQUE INDEX messaging_messages_idempotency_uq ON messaging_messages (conversation_id, sender, client_msg_id)
  WHERE client_msg_id IS NOT NULL AND sender IS NOT NULL;
