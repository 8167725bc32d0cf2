# Sentences of the core (validation and refusal fragments), by fragment id: see web::kit::error::fragment_id.
