ALTER TABLE "device_tokens" ADD COLUMN "ref" text;--> statement-breakpoint
CREATE UNIQUE INDEX "device_tokens_ref_key" ON "device_tokens" USING btree ("ref");