import { redirect } from "next/navigation";
import { getSignedInUser, homePathFor } from "@/lib/accounts/session";

/** The front door: signed-in users go to their first org, everyone else to sign-in. */
export default async function Home() {
  const user = await getSignedInUser();
  redirect(user ? await homePathFor(user.id) : "/sign-in");
}
