// GET|POST /api/auth/* — next-auth (sign-in with the Credentials provider, session, sign-out, CSRF)
import { handlers } from "@/lib/auth/config";

export const { GET, POST } = handlers;
