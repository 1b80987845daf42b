-- messages the merchant posts through other modules (order updates, stock alerts) have no sender;
-- their key makes a repeated post find the first one
CREATE UNIQUE INDEX messaging_messages_merchant_idempotency_uq ON messaging_messages (conversation_id, client_msg_id)
  WHERE sender IS NULL AND client_msg_id IS NOT NULL;
