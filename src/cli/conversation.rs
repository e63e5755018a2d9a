//! Conversation commands: ask, answer, conversation, conversations.

use clap::Args;
use serde_json::json;

use super::input::session;
use super::{Ctx, Out, to_value};
use crate::domain::format::datetime_of_ms;

#[derive(Debug, Args)]
pub struct Ask {
    #[arg(value_name = "NÚMERO", help = "El número de la publicación")]
    pub id: u64,
    #[arg(
        long = "texto",
        alias = "text",
        value_name = "TEXTO",
        help = "La pregunta"
    )]
    pub text: String,
}

impl Ask {
    pub fn run(self, cx: &Ctx) -> Out {
        let s = session(cx)?;
        let n = cx.market.ask(&s, self.id, &self.text)?;
        Ok((json!({ "message": n }), format!("Pregunta {n} enviada")))
    }
}

#[derive(Debug, Args)]
pub struct Answer {
    #[arg(value_name = "NÚMERO", help = "El número de la publicación")]
    pub id: u64,
    #[arg(
        long = "comprador",
        alias = "buyer",
        value_name = "EMAIL",
        help = "El email de quien preguntó"
    )]
    pub buyer: String,
    #[arg(
        long = "texto",
        alias = "text",
        value_name = "TEXTO",
        help = "La respuesta"
    )]
    pub text: String,
}

impl Answer {
    pub fn run(self, cx: &Ctx) -> Out {
        let s = session(cx)?;
        let n = cx.market.answer(&s, self.id, &self.buyer, &self.text)?;
        Ok((
            json!({ "message": n }),
            format!("Respuesta a la pregunta {n} enviada"),
        ))
    }
}

#[derive(Debug, Args)]
pub struct Conversation {
    #[arg(value_name = "NÚMERO", help = "El número de la publicación")]
    pub id: u64,
    #[arg(
        long = "comprador",
        alias = "buyer",
        value_name = "EMAIL",
        help = "Solo la conversación con este comprador (quien vende ve todas)"
    )]
    pub buyer: Option<String>,
}

impl Conversation {
    pub fn run(self, cx: &Ctx) -> Out {
        let s = session(cx)?;
        let v = cx
            .market
            .conversations(&s, self.id, self.buyer.as_deref())?;
        let mut t = String::new();
        for c in &v {
            t.push_str(&format!(
                "Publicación {} «{}» — {} <{}> con {}\n",
                c.publication, c.title, c.buyer_name, c.buyer_email, c.seller_name
            ));
            for msg in &c.messages {
                t.push_str(&format!(
                    "  {:>3}. [{}] P: {}\n",
                    msg.number,
                    datetime_of_ms(msg.asked_ms),
                    msg.question
                ));
                match (&msg.answer, msg.answered_ms) {
                    (Some(a), Some(at)) => {
                        t.push_str(&format!("       [{}] R: {a}\n", datetime_of_ms(at)))
                    }
                    _ => t.push_str("       (sin respuesta todavía)\n"),
                }
            }
        }
        if v.is_empty() {
            t.push_str("(sin conversaciones)\n");
        }
        Ok((to_value(&v), t))
    }
}

#[derive(Debug, Args)]
pub struct Conversations {}

impl Conversations {
    pub fn run(self, cx: &Ctx) -> Out {
        let s = session(cx)?;
        let (asked, received) = cx.market.my_conversations(&s)?;
        let mut t = String::from("Como comprador:\n");
        for c in &asked {
            t.push_str(&format!(
                "  {:>6} «{}» con {} — {} mensajes, último {}\n",
                c.publication,
                c.title,
                c.seller_name,
                c.count,
                datetime_of_ms(c.last_ms)
            ));
        }
        t.push_str("Como vendedor:\n");
        for c in &received {
            t.push_str(&format!(
                "  {:>6} «{}» de {} <{}> — {} mensajes, {} sin responder, último {}\n",
                c.publication,
                c.title,
                c.buyer_name,
                c.buyer_email,
                c.count,
                c.unanswered,
                datetime_of_ms(c.last_ms)
            ));
        }
        Ok((
            json!({ "as_buyer": to_value(&asked), "as_seller": to_value(&received) }),
            t,
        ))
    }
}
