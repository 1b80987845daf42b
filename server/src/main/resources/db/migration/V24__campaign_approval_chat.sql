-- campaigns: approval in the chat. Each send waiting for approval is one request (its own id: a
-- campaign rejected and sent again asks anew); its approvers get an approve / reject card in their
-- personal 营销审批 room, and the requester hears the outcome there. A card counts only for the
-- request it was posted for; each press of a card is handled once.
-- Staff and conversations belong to other modules: no foreign keys into them.

-- the request's id (null for sends asked before this migration) and the staff member who asked
-- (null: an API key)
ALTER TABLE campaigns_approvals ADD COLUMN request_id UUID;
ALTER TABLE campaigns_approvals ADD COLUMN requested_by_staff UUID;

-- an approve / reject card posted to an approver for one request
CREATE TABLE campaigns_approval_cards
(
  conversation_id UUID        NOT NULL,
  seq             BIGINT      NOT NULL,
  campaign_id     UUID        NOT NULL REFERENCES campaigns_campaigns (id),
  request_id      UUID        NOT NULL,
  staff_id        UUID        NOT NULL,
  posted_at       TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (conversation_id, seq)
);
CREATE INDEX campaigns_approval_cards_request ON campaigns_approval_cards (request_id);

-- a press of a card's button, handled (messaging lets each member press a card once): a press
-- delivered again finds its row and changes nothing
CREATE TABLE campaigns_approval_presses
(
  conversation_id UUID        NOT NULL,
  seq             BIGINT      NOT NULL,
  staff_id        UUID        NOT NULL,
  action          TEXT        NOT NULL,
  -- APPROVED, REJECTED, or the code of the refusal
  outcome         TEXT        NOT NULL,
  pressed_at      TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (conversation_id, seq, staff_id)
);
