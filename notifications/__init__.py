"""Each user's notices (the inbox), the reminders of what is due, and the mail that carries them."""
