CREATE TABLE "notification_items" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"org_id" integer NOT NULL,
	"user_id" integer NOT NULL,
	"event_id" text NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notification_prefs" (
	"org_id" integer NOT NULL,
	"user_id" integer NOT NULL,
	"events" text[] DEFAULT '{}'::text[] NOT NULL,
	"device_scope" text DEFAULT 'all' NOT NULL,
	"device_ids" integer[] DEFAULT '{}'::integer[] NOT NULL,
	"device_tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"mode" text DEFAULT 'each' NOT NULL,
	"digest_minutes" integer DEFAULT 15 NOT NULL,
	"alerts" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notification_prefs_org_id_user_id_pk" PRIMARY KEY("org_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "revoked_token_uses" (
	"device_id" integer PRIMARY KEY NOT NULL,
	"org_id" integer NOT NULL,
	"window_started_at" timestamp with time zone NOT NULL,
	"uses" integer DEFAULT 0 NOT NULL,
	"last_ip" text,
	"alerted_at" timestamp with time zone,
	"alert_due" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "expiry_alerted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "notification_items" ADD CONSTRAINT "notification_items_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_items" ADD CONSTRAINT "notification_items_org_id_user_id_notification_prefs_org_id_user_id_fk" FOREIGN KEY ("org_id","user_id") REFERENCES "public"."notification_prefs"("org_id","user_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_prefs" ADD CONSTRAINT "notification_prefs_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_prefs" ADD CONSTRAINT "notification_prefs_org_id_user_id_memberships_org_id_user_id_fk" FOREIGN KEY ("org_id","user_id") REFERENCES "public"."memberships"("org_id","user_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "revoked_token_uses" ADD CONSTRAINT "revoked_token_uses_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "public"."devices"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "notification_items_due_idx" ON "notification_items" USING btree ("due_at");--> statement-breakpoint
CREATE INDEX "notification_items_member_idx" ON "notification_items" USING btree ("org_id","user_id","id");--> statement-breakpoint
CREATE INDEX "notification_items_event_idx" ON "notification_items" USING btree ("event_id");--> statement-breakpoint
CREATE INDEX "revoked_token_uses_due_idx" ON "revoked_token_uses" USING btree ("device_id") WHERE "revoked_token_uses"."alert_due";--> statement-breakpoint
CREATE INDEX "api_keys_expiry_alert_idx" ON "api_keys" USING btree ("expires_at") WHERE "api_keys"."expires_at" is not null and "api_keys"."revoked_at" is null and "api_keys"."expiry_alerted_at" is null;