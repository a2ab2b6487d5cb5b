import Testing

@testable import CorpusGeneration

@Suite("Vocabulary and templates")
struct VocabularyTests {
    private func isChineseWord(_ text: String) -> Bool {
        text.count >= 2 && text.unicodeScalars.allSatisfy { (0x4E00...0x9FFF).contains($0.value) }
    }

    @Test("categories, topics, brands, materials and colours have the documented sizes")
    func sizes() {
        #expect(Vocabulary.categories.count >= 10)
        #expect(Vocabulary.colours.count == 12)
        for category in Vocabulary.categories {
            #expect((2...4).contains(category.topics.count), "\(category.name)")
            #expect((6...10).contains(category.brands.count), "\(category.name)")
            #expect((4...8).contains(category.materials.count), "\(category.name)")
            #expect(category.brands.count <= Vocabulary.maximumPerList)
            for topic in category.topics {
                #expect((8...14).contains(topic.termCount), "\(topic.name.english)")
                #expect(topic.products.count <= Vocabulary.maximumPerList)
                #expect(topic.uses.count >= 3)
            }
        }
        #expect(CorpusGenerator.minimumItems == Vocabulary.topics.count)
    }

    @Test("Chinese words are multi-character CJK; English words are lower-case ASCII phrases")
    func wordForms() {
        var words: [Bilingual] = Vocabulary.colours
        for category in Vocabulary.categories {
            words += category.materials
            for topic in category.topics { words += topic.products + topic.uses }
        }
        for word in words {
            #expect(isChineseWord(word.chinese), "\(word.chinese)")
            #expect(word.english.allSatisfy { $0 == " " || ($0.isASCII && ($0.isLowercase || $0.isNumber)) }, "\(word.english)")
        }
        for category in Vocabulary.categories {
            for brand in category.brands {
                #expect(isChineseWord(brand.chinese), "\(brand.chinese)")
                #expect(brand.english.first?.isUppercase == true && !brand.english.contains(" "), "\(brand.english)")
            }
        }
    }

    @Test("topic terms do not overlap between topics, nor with brands, materials or colours")
    func noOverlaps() {
        for language in [Language.english, .chinese] {
            var owner: [String: String] = [:]
            for entry in Vocabulary.topics {
                let topic = entry.vocabulary
                for index in 0..<topic.termCount {
                    let term = topic.term(index, language).lowercased()
                    #expect(owner[term] == nil, "'\(term)' is in both \(owner[term] ?? "") and \(topic.name.english)")
                    owner[term] = topic.name.english
                }
            }
            var attributes = Vocabulary.colours.map { $0[language].lowercased() }
            for category in Vocabulary.categories {
                attributes += category.brands.map { $0[language].lowercased() }
            }
            for attribute in attributes {
                #expect(owner[attribute] == nil, "attribute '\(attribute)' is also a topic term")
            }
            var brands: Set<String> = []
            for category in Vocabulary.categories {
                for brand in category.brands {
                    #expect(brands.insert(brand[language].lowercased()).inserted, "duplicate brand \(brand[language])")
                }
                for material in category.materials {
                    #expect(owner[material[language].lowercased()] == nil, "material '\(material[language])' is a term")
                }
            }
        }
    }

    @Test("each language has at least ten review sentence templates and varied queries")
    func templateVariety() {
        for templates in [LanguageTemplates.english, LanguageTemplates.chinese] {
            let positive = templates.productSentences.count + templates.useSentences.count
                + templates.attributeSentences.count
            #expect(positive >= 10)
            #expect(templates.complaints.count >= 10)
            #expect(templates.fillers.count >= 8)
            #expect(templates.queries.count >= 15)
            #expect(templates.titles.count >= 5 && templates.descriptions.count >= 6)
            #expect(templates.titles.allSatisfy { $0.uses(.product) && $0.uses(.brand) })
            #expect(templates.queries.allSatisfy { $0.uses(.product) || $0.uses(.product2) || $0.uses(.use) })
            #expect(templates.productSentences.allSatisfy { $0.uses(.product) || $0.uses(.product2) })
            #expect(templates.useSentences.allSatisfy { $0.uses(.use) })
            #expect(templates.fillers.allSatisfy { $0.slots == 0 })
        }
        for template in LanguageTemplates.chinese.productSentences + LanguageTemplates.chinese.fillers {
            var text = ""
            template.render(SlotValues(), into: &text)
            #expect(text.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) })
        }
    }

    @Test("templates parse slots and render values in place")
    func templateRendering() {
        let template = TextTemplate("Love my new {b} {p}, {c} and {m}; goes with {p2} for {u}. {x}")
        #expect(template.uses(.brand) && template.uses(.product) && template.uses(.product2) && template.uses(.use))
        var values = SlotValues()
        values.product = "fly rod"
        values.product2 = "tippet"
        values.use = "trout"
        values.brand = "Northfly"
        values.colour = "olive"
        values.material = "graphite"
        var text = ""
        template.render(values, into: &text)
        #expect(text == "Love my new Northfly fly rod, olive and graphite; goes with tippet for trout. {x}")
        #expect(TextTemplate("plain").slots == 0)
        #expect(Catalogue.titleCased("vitamin c serum") == "Vitamin C Serum")
    }
}
